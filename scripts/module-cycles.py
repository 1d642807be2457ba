#!/usr/bin/env python3
"""Fails when modules of src/ import one another in a circle.

For every module with submodules (the crate, engine, output, ...), the references between its
children (`crate::a::b`, `super::x`, `self::x` paths outside comments and test modules) must
form no cycle: dependencies point one way. The command line (src/cli/) sits on top and is
left out. Usage: scripts/module-cycles.py (from the repository's root); exit code 1 on a cycle.
"""
import re,os,collections
import sys
root=sys.argv[1] if len(sys.argv) > 1 else 'src'
def mod_of(path):
    rel=os.path.relpath(path,root)[:-3].split(os.sep)
    if rel[-1]=='mod' or rel[-1]=='lib' or rel[-1]=='main': rel=rel[:-1]
    return rel
refs=collections.defaultdict(set)  # module tuple -> set of referenced module tuples
for dp,_,fs in os.walk(root):
    for f in fs:
        if not f.endswith('.rs'): continue
        p=os.path.join(dp,f); m=tuple(mod_of(p))
        if m and m[0]=='cli': continue
        src=open(p).read()
        src=re.sub(r'#\[cfg\(test\)\]\s*mod tests \{.*', '', src, flags=re.S)
        src='\n'.join(l for l in src.split('\n') if not l.strip().startswith('//'))
        for t in re.findall(r'\bcrate((?:::\w+)+)', src):
            refs[m].add(tuple(t.strip(':').split('::')))
        for t in re.findall(r'\bsuper((?:::\w+)+)', src):
            refs[m].add(m[:-1]+tuple(t.strip(':').split('::')))
        for t in re.findall(r'\bself((?:::\w+)+)', src):
            refs[m].add(m+tuple(t.strip(':').split('::')))
mods=set(refs)
# siblings
children=collections.defaultdict(set)
for m in mods:
    for i in range(1,len(m)+1):
        children[m[:i-1]].add(m[:i])
found=False
for parent,kids in children.items():
    kids=set(kids)
    edges=collections.defaultdict(set)
    for m,rs in refs.items():
        if m[:len(parent)]!=parent or len(m)<=len(parent): continue
        a=m[:len(parent)+1]
        for r in rs:
            if r[:len(parent)]!=parent or len(r)<=len(parent): continue
            b=r[:len(parent)+1]
            if b in kids and b!=a: edges[a].add(b)
    # SCC
    index={};low={};st=[];on=set();res=[];c=[0]
    def sc(v):
        index[v]=low[v]=c[0];c[0]+=1;st.append(v);on.add(v)
        for w in edges.get(v,()):
            if w not in index: sc(w);low[v]=min(low[v],low[w])
            elif w in on: low[v]=min(low[v],index[w])
        if low[v]==index[v]:
            comp=[]
            while True:
                w=st.pop();on.discard(w);comp.append(w)
                if w==v:break
            if len(comp)>1: res.append(comp)
    for v in list(edges):
        if v not in index: sc(v)
    for comp in res:
        found=True
        print("cycle under", '::'.join(parent) or 'crate', [ '::'.join(x) for x in comp])
        for a in comp: print("   ",'::'.join(a),'->',sorted('::'.join(x) for x in edges[a] if x in comp))
if not found:
    print("no cycle among sibling modules")
sys.exit(1 if found else 0)
