//! Two `f64` lanes computed together, with the same IEEE operation in each lane as the
//! scalar code would do, so results keep their bits: the policies' per-order loop (its clock,
//! time and discounted time, and the stock's two integrals, unit-years and discounted
//! unit-years) and the Panjer recursion of the controls' expectations (its two dot products).
//!
//! Why by hand: left to itself, the compiler pairs the per-order loop's two integrals into one
//! SSE2 register but shuffles them apart and together again on every order, and keeps the
//! recursion's two sums in separate registers. Written as explicit lanes, each order (each
//! term of the recursion) takes one subtraction or load, one multiplication and one addition
//! for both. Elsewhere than x86-64 the lanes are two plain values.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::{
    __m128d, _mm_add_pd, _mm_cvtsd_f64, _mm_loadu_pd, _mm_mul_pd, _mm_set_pd, _mm_set1_pd,
    _mm_sub_pd, _mm_unpackhi_pd,
};

use crate::demand::Order;

/// Two `f64` values, `lo` and `hi`, with lane-wise `−`, `×` and `+`.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(crate) struct Pair(__m128d);

/// Two `f64` values, `lo` and `hi`, with lane-wise `−`, `×` and `+`.
#[cfg(not(target_arch = "x86_64"))]
#[derive(Clone, Copy)]
pub(crate) struct Pair([f64; 2]);

#[cfg(target_arch = "x86_64")]
impl Pair {
    /// The pair (`lo`, `hi`).
    #[inline(always)]
    pub(crate) fn new(lo: f64, hi: f64) -> Self {
        // SAFETY: SSE2 is in every x86-64 target's baseline.
        unsafe { Pair(_mm_set_pd(hi, lo)) }
    }

    /// An order's (time, discounted time), in one load.
    #[inline(always)]
    pub(crate) fn clock_of(order: &Order) -> Self {
        const _: () = assert!(std::mem::offset_of!(Order, discounted_time) == 8);
        let first = (order as *const Order).cast::<f64>();
        // SAFETY: `Order` is `repr(C)` with `time` at offset 0 and `discounted_time` at 8 (checked
        // above), so the 16 bytes read are those two fields of one live `Order`; SSE2 is in
        // every x86-64 target's baseline, and the load needs no alignment.
        Pair(unsafe { _mm_loadu_pd(first) })
    }

    /// (`x`, `x`).
    #[inline(always)]
    pub(crate) fn splat(x: f64) -> Self {
        // SAFETY: SSE2 is in every x86-64 target's baseline.
        unsafe { Pair(_mm_set1_pd(x)) }
    }

    /// The first value.
    #[inline(always)]
    pub(crate) fn lo(self) -> f64 {
        // SAFETY: SSE2 is in every x86-64 target's baseline.
        unsafe { _mm_cvtsd_f64(self.0) }
    }

    /// The second value.
    #[inline(always)]
    pub(crate) fn hi(self) -> f64 {
        // SAFETY: SSE2 is in every x86-64 target's baseline.
        unsafe { _mm_cvtsd_f64(_mm_unpackhi_pd(self.0, self.0)) }
    }

    /// Lane-wise `self − other`.
    #[inline(always)]
    pub(crate) fn sub(self, other: Self) -> Self {
        // SAFETY: SSE2 is in every x86-64 target's baseline.
        unsafe { Pair(_mm_sub_pd(self.0, other.0)) }
    }

    /// Lane-wise `self × other`.
    #[inline(always)]
    pub(crate) fn mul(self, other: Self) -> Self {
        // SAFETY: SSE2 is in every x86-64 target's baseline.
        unsafe { Pair(_mm_mul_pd(self.0, other.0)) }
    }

    /// Lane-wise `self + other`.
    #[inline(always)]
    pub(crate) fn add(self, other: Self) -> Self {
        // SAFETY: SSE2 is in every x86-64 target's baseline.
        unsafe { Pair(_mm_add_pd(self.0, other.0)) }
    }
}

#[cfg(not(target_arch = "x86_64"))]
impl Pair {
    /// The pair (`lo`, `hi`).
    #[inline(always)]
    pub(crate) fn new(lo: f64, hi: f64) -> Self {
        Pair([lo, hi])
    }

    /// An order's (time, discounted time).
    #[inline(always)]
    pub(crate) fn clock_of(order: &Order) -> Self {
        Pair([order.time, order.discounted_time])
    }

    /// (`x`, `x`).
    #[inline(always)]
    pub(crate) fn splat(x: f64) -> Self {
        Pair([x, x])
    }

    /// The first value.
    #[inline(always)]
    pub(crate) fn lo(self) -> f64 {
        self.0[0]
    }

    /// The second value.
    #[inline(always)]
    pub(crate) fn hi(self) -> f64 {
        self.0[1]
    }

    /// Lane-wise `self − other`.
    #[inline(always)]
    pub(crate) fn sub(self, other: Self) -> Self {
        Pair([self.0[0] - other.0[0], self.0[1] - other.0[1]])
    }

    /// Lane-wise `self × other`.
    #[inline(always)]
    pub(crate) fn mul(self, other: Self) -> Self {
        Pair([self.0[0] * other.0[0], self.0[1] * other.0[1]])
    }

    /// Lane-wise `self + other`.
    #[inline(always)]
    pub(crate) fn add(self, other: Self) -> Self {
        Pair([self.0[0] + other.0[0], self.0[1] + other.0[1]])
    }
}

#[cfg(test)]
mod tests {
    use super::Pair;

    #[test]
    fn lanes_are_the_scalar_operations() {
        let (a, b, c, d) = (0.1_f64, 1.0e-300, 3.7, -2.25);
        let p = Pair::new(a, b)
            .sub(Pair::new(c, d))
            .mul(Pair::splat(7.0))
            .add(Pair::new(b, a));
        assert_eq!(p.lo().to_bits(), ((a - c) * 7.0 + b).to_bits());
        assert_eq!(p.hi().to_bits(), ((b - d) * 7.0 + a).to_bits());
    }

    #[test]
    fn an_orders_clock_is_its_time_and_discounted_time() {
        let order = crate::demand::Order {
            time: 3.25,
            discounted_time: 2.875,
            units: 4,
            discount: 0.8,
        };
        let clock = Pair::clock_of(&order);
        assert_eq!((clock.lo(), clock.hi()), (3.25, 2.875));
    }
}
