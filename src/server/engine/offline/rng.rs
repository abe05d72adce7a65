//! The offline engine's only source of chance: a PRNG seeded from the intent and the seed.

use sha2::{Digest, Sha256};

/// splitmix64: tiny, well mixed, and identical on every platform and Rust version.
pub(super) struct SplitMix64(u64);

impl SplitMix64 {
    pub(super) fn seeded(intent: &str, seed: u64) -> Self {
        let digest = Sha256::new()
            .chain_update(intent.as_bytes())
            .chain_update(seed.to_le_bytes())
            .finalize();
        let mut state = [0u8; 8];
        state.copy_from_slice(&digest[..8]);
        SplitMix64(u64::from_le_bytes(state))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut mixed = self.0;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }

    /// A float uniformly drawn from [0, 1).
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An integer uniformly drawn from low..=high.
    pub(super) fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}
