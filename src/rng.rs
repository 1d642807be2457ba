//! Random streams keyed by (seed, path, stream).
//!
//! Every random decision of a path draws from its own stream, so that results are a pure function
//! of (scenario, seed, paths) whatever the thread count or shard split, and so that policies are
//! compared on common random numbers: the demand streams of path `k` are identical for every
//! policy, and each policy re-opens the same partner and shrinkage streams of that path.
//!
//! Each stream is a Xoshiro256++ generator (rand's portable `Xoshiro256PlusPlus`: a few
//! instructions per 64-bit word, period 2²⁵⁶ − 1) whose 256-bit state is the first four words
//! of a ChaCha8 keystream: the seed gives the ChaCha key, the path index its 64-bit stream
//! (nonce) and the stream id an offset of 2⁵⁴ words. The states are thus outputs of a
//! cryptographic-strength function of (seed, path, stream): distinct and effectively
//! independent, so two streams overlapping within their few thousand draws has probability
//! of order 10⁻⁵⁰. Opening a stream costs one ChaCha8 block; every draw after that is cheap.

use rand::rngs::{ChaCha8Rng, Xoshiro256PlusPlus};
use rand::{Rng, SeedableRng};

/// The generator behind every stream.
pub type StreamRng = Xoshiro256PlusPlus;

/// Which random decision a stream serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Demand arrival times (unit-rate Poisson process and thinning).
    DemandArrivals,
    /// Order sizes.
    OrderSizes,
    /// The path's rate multiplier and obsolescence time.
    PathRisk,
    /// Losses in storage (shrinkage).
    Shrinkage,
    /// Partner `j`'s reliability and attrition draws.
    Partner(u32),
    // Issue 18 (supply-leadtimes): random lead and response times.
    /// Lead times of re-manufacture runs drawn from a distribution.
    RemanufactureLead,
    /// Partner `j`'s response times drawn from a distribution.
    PartnerResponse(u32),
    // Issue 18 (supply-repair): repairable returns.
    /// Repairable returns: whether a served unit comes back as a core, and its return delay.
    Returns,
    /// Repair: whether a returned core is washed out (cannot be repaired).
    Repair,
    // Issue 18 (supply-records): stock records that drift.
    /// Losses in storage that the stock records do not see (unrecorded shrinkage).
    UnrecordedLoss,
}

impl Stream {
    fn id(self) -> u128 {
        match self {
            Stream::DemandArrivals => 0,
            Stream::OrderSizes => 1,
            Stream::PathRisk => 2,
            Stream::Shrinkage => 3,
            Stream::Partner(j) => 4 + u128::from(j),
            Stream::RemanufactureLead => 1 << 40,
            Stream::PartnerResponse(j) => (1 << 41) + u128::from(j),
            Stream::Returns => 1 << 42,
            Stream::Repair => (1 << 42) + 1,
            Stream::UnrecordedLoss => 1 << 43,
        }
    }

    /// Where the stream starts in the ChaCha8 keystreams of a path: (nonce, word position).
    ///
    /// The ids below 2⁴⁰ (the original streams) start at word `id·2⁵⁴` of the path's own
    /// keystream (nonce = path), as they always have. ChaCha's word position has only 68 bits,
    /// so `id·2⁵⁴` wraps for ids from 2¹⁴ on: the ids reserved from 2⁴⁰ on would land on word 0,
    /// the demand stream's. They are placed in keystreams of their own instead: the group
    /// `id >> 40` (1, 2, 4, 8, … below 16) goes to bits 40–43 of the nonce (path indices stay
    /// below 2⁴⁰: at most 10¹² paths), the rest of the id to its bits 44 and up and the word
    /// position, so that every (path, stream) has a start no other one has.
    fn start(self, path: u64) -> (u64, u128) {
        let id = self.id();
        if id < 1 << 40 {
            return (path, id * STREAM_WORDS);
        }
        debug_assert!(path < 1 << 40, "path indices stay below 2^40");
        let group = (id >> 40) as u64;
        debug_assert!(group < 16, "reserved groups are 1 << 40 … 8 << 40");
        let rest = id & ((1 << 40) - 1);
        let nonce = path | (group << 40) | (((rest >> 14) as u64) << 44);
        (nonce, (rest & ((1 << 14) - 1)) * STREAM_WORDS)
    }
}

/// Words of ChaCha output reserved for each stream of a path.
const STREAM_WORDS: u128 = 1 << 54;

/// Opens streams for one seed.
#[derive(Debug, Clone)]
pub struct StreamFactory {
    key: [u8; 32],
}

impl StreamFactory {
    /// Streams of the run with seed `seed`.
    pub fn new(seed: u64) -> Self {
        StreamFactory {
            key: ChaCha8Rng::seed_from_u64(seed).get_seed(),
        }
    }

    /// The stream `stream` of path `path`, positioned at its start.
    pub fn open(&self, path: u64, stream: Stream) -> StreamRng {
        let mut keystream = ChaCha8Rng::from_seed(self.key);
        let (nonce, word) = stream.start(path);
        keystream.set_stream(nonce);
        keystream.set_word_pos(word);
        let mut state = [0u8; 32];
        keystream.fill_bytes(&mut state);
        Xoshiro256PlusPlus::from_seed(state)
    }
}

/// A uniform draw in the open interval (0, 1) (never 0, so `ln` is finite).
#[inline]
pub fn uniform_open(rng: &mut StreamRng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let f = StreamFactory::new(42);
        let a: Vec<u64> = (0..4)
            .map(|_| f.open(7, Stream::Shrinkage).next_u64())
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut x = f.open(7, Stream::Shrinkage);
        let mut y = f.open(7, Stream::Partner(0));
        let mut z = f.open(8, Stream::Shrinkage);
        let (x, y, z) = (x.next_u64(), y.next_u64(), z.next_u64());
        assert!(x != y && x != z && y != z);
    }

    /// Pins the generator's output so that a change of generator or keying is noticed:
    /// users' published results depend on it.
    #[test]
    fn value_stability() {
        let f = StreamFactory::new(1);
        let mut r = f.open(3, Stream::DemandArrivals);
        let first = r.next_u64();
        let mut again = StreamFactory::new(1).open(3, Stream::DemandArrivals);
        assert_eq!(first, again.next_u64());
        assert_eq!(first, PINNED_FIRST_WORD);
    }

    /// The streams reserved from 2⁴⁰ on start where no other stream of any path starts: their
    /// ids times 2⁵⁴ words would wrap to word 0 of ChaCha's 68-bit word position (the demand
    /// stream's start), so they live in keystreams of their own ([`Stream::start`]).
    #[test]
    fn reserved_streams_are_distinct_from_every_other() {
        let f = StreamFactory::new(9);
        let mut firsts = std::collections::HashSet::new();
        for path in [0u64, 1, 2, 1 << 20] {
            let mut streams = vec![
                Stream::DemandArrivals,
                Stream::OrderSizes,
                Stream::PathRisk,
                Stream::Shrinkage,
                Stream::RemanufactureLead,
                Stream::Returns,
                Stream::Repair,
                Stream::UnrecordedLoss,
            ];
            // Partner ids wrap from 2¹⁴ − 4 on (an old limit, far beyond real partner counts).
            streams.extend([0u32, 1, 2, 100, 16_000].map(Stream::Partner));
            streams
                .extend([0u32, 1, 2, 100, 16_383, 16_384, u32::MAX].map(Stream::PartnerResponse));
            for s in streams {
                let word = f.open(path, s).next_u64();
                assert!(
                    firsts.insert(word),
                    "{s:?} of path {path} starts like another"
                );
            }
        }
        // The old streams did not move.
        let mut keystream = ChaCha8Rng::from_seed(f.key);
        keystream.set_stream(2);
        keystream.set_word_pos(4 * STREAM_WORDS);
        let mut state = [0u8; 32];
        keystream.fill_bytes(&mut state);
        let mut old = Xoshiro256PlusPlus::from_seed(state);
        assert_eq!(old.next_u64(), f.open(2, Stream::Partner(0)).next_u64());
        // Why: at word id·2⁵⁴ the first reserved stream would have been the demand stream.
        let mut naive = ChaCha8Rng::from_seed(f.key);
        naive.set_stream(2);
        naive.set_word_pos(Stream::RemanufactureLead.id() * STREAM_WORDS);
        naive.fill_bytes(&mut state);
        let mut naive = Xoshiro256PlusPlus::from_seed(state);
        let demand = f.open(2, Stream::DemandArrivals).next_u64();
        assert_eq!(naive.next_u64(), demand);
    }

    const PINNED_FIRST_WORD: u64 = 2_725_791_950_102_620_520;

    #[test]
    fn uniform_is_inside_unit_interval() {
        let f = StreamFactory::new(5);
        let mut r = f.open(0, Stream::OrderSizes);
        for _ in 0..10_000 {
            let u = uniform_open(&mut r);
            assert!(u > 0.0 && u < 1.0);
        }
    }
}
