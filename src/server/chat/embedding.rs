//! The offline embedding: a deterministic hashed character-trigram vector, L2-normalised, so
//! that texts sharing letter sequences lie close together without any model.

use super::text::fnv1a;

/// Dimensions of the offline embedding.
pub const DIMENSIONS: usize = 256;

/// Embeds `text` in `DIMENSIONS` dimensions.
///
/// The method: the text is lowercased, its runs of whitespace become one space, and it is
/// framed by a space on each side. Every window of three characters (the whole framed text
/// when it is shorter) is hashed with 64-bit FNV-1a over its UTF-8 bytes; the hash modulo 256
/// picks a dimension, and its top bit the sign (+1 or −1) added there, so that collisions
/// cancel out on average instead of piling up. The vector is then divided by its Euclidean
/// length. A text of only whitespace gives the zero vector.
pub fn embed(text: &str) -> Vec<f32> {
    let mut vector = vec![0.0_f32; DIMENSIONS];
    if text.trim().is_empty() {
        return vector;
    }
    let framed: Vec<char> = format!(
        " {} ",
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    )
    .to_lowercase()
    .chars()
    .collect();
    let mut add = |gram: &[char]| {
        let hash = fnv1a(gram.iter().collect::<String>().as_bytes());
        let sign = if hash >> 63 == 1 { -1.0 } else { 1.0 };
        vector[(hash % DIMENSIONS as u64) as usize] += sign;
    };
    if framed.len() < 3 {
        add(&framed);
    } else {
        framed.windows(3).for_each(&mut add);
    }
    normalise(&mut vector);
    vector
}

/// The offline embedding in `dimensions` numbers: the full vector folded onto them (each
/// number summed into its index modulo `dimensions`) and normalised. Cutting the vector short
/// instead would keep only the features hashed to its first numbers: short texts would
/// often come out as zeros.
pub fn fold(vector: &[f32], dimensions: usize) -> Vec<f32> {
    let mut folded = vec![0.0_f32; dimensions];
    for (index, value) in vector.iter().enumerate() {
        folded[index % dimensions] += value;
    }
    normalise(&mut folded);
    folded
}

/// Divides a vector by its Euclidean length; the zero vector stays zero.
pub fn normalise(vector: &mut [f32]) {
    let length = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if length > 0.0 {
        vector.iter_mut().for_each(|x| *x /= length);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn vectors_are_unit_length_deterministic_and_closer_for_similar_texts() {
        let a = embed("The old bookseller of Istanbul");
        assert_eq!(a.len(), DIMENSIONS);
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-5);
        assert_eq!(a, embed("the  old BOOKSELLER of istanbul"));
        let near = embed("An old bookseller in Istanbul");
        let far = embed("Quantum chromodynamics lecture notes");
        assert!(cosine(&a, &near) > cosine(&a, &far) + 0.2);
        assert!(embed(" \n").iter().all(|x| *x == 0.0));
        assert!((cosine(&embed("a"), &embed("a")) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn folded_vectors_are_unit_length_at_every_size() {
        for text in [
            "a",
            "hello world",
            "日本語",
            "The old bookseller of Istanbul",
        ] {
            for dimensions in [1, 8, 64, 255, 256] {
                let folded = fold(&embed(text), dimensions);
                assert_eq!(folded.len(), dimensions);
                let length = cosine(&folded, &folded).sqrt();
                assert!(
                    (length - 1.0).abs() < 1e-4,
                    "{text} at {dimensions}: {length}"
                );
            }
        }
    }
}
