/* A C library whose elementary functions are one ulp off: every function pimsim's results
 * could reach through the platform (f64::exp, ln, powf, ln_1p, exp_m1, …, and what
 * num-traits, rand_distr or statrs would call) returns the real result moved one ulp up.
 * .ci/libm-independence runs the golden test with it preloaded (LD_PRELOAD): the pinned
 * output bytes must not change, because pimsim's results use fixed-bit arithmetic only. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>

#define ONE(name)                                                              \
  double name(double x) {                                                      \
    static double (*real)(double);                                             \
    if (!real) real = (double (*)(double))dlsym(RTLD_NEXT, #name);             \
    return nextafter(real(x), INFINITY);                                       \
  }
#define TWO(name)                                                              \
  double name(double x, double y) {                                            \
    static double (*real)(double, double);                                     \
    if (!real) real = (double (*)(double, double))dlsym(RTLD_NEXT, #name);     \
    return nextafter(real(x, y), INFINITY);                                    \
  }

ONE(exp) ONE(exp2) ONE(expm1) ONE(log) ONE(log2) ONE(log10) ONE(log1p)
ONE(sin) ONE(cos) ONE(tan) ONE(sinh) ONE(cosh) ONE(tanh) ONE(asin) ONE(acos)
ONE(atan) ONE(asinh) ONE(acosh) ONE(atanh) ONE(cbrt) ONE(erf) ONE(erfc)
ONE(lgamma) ONE(tgamma)
TWO(pow) TWO(atan2) TWO(hypot)
