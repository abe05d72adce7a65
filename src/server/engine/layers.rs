//! The four layers as the engines write them, typed, each flattening to the (dotted path, value)
//! fields a step reports; and lenient typed readers for the JSON they read (parent, model answer).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Why the persona acts.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Soul {
    pub core_desire: String,
    pub core_fear: String,
    pub wound: String,
}

/// Who the persona is, measured.
#[derive(Debug, Clone, Serialize)]
pub(super) struct SelfLayer {
    pub big_five: BigFive,
    pub archetype: String,
}

/// Scores in [0, 1], in the order of the document.
#[derive(Debug, Clone, Copy, Serialize)]
pub(super) struct BigFive {
    #[serde(rename = "O")]
    pub openness: f64,
    #[serde(rename = "C")]
    pub conscientiousness: f64,
    #[serde(rename = "E")]
    pub extraversion: f64,
    #[serde(rename = "A")]
    pub agreeableness: f64,
    #[serde(rename = "N")]
    pub neuroticism: f64,
}

impl BigFive {
    /// From the scores in the order O, C, E, A, N.
    pub fn from_scores(
        [
            openness,
            conscientiousness,
            extraversion,
            agreeableness,
            neuroticism,
        ]: [f64; 5],
    ) -> Self {
        BigFive {
            openness,
            conscientiousness,
            extraversion,
            agreeableness,
            neuroticism,
        }
    }
}

/// How the persona presents itself.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Mask {
    pub voice: Voice,
    pub public_bio: String,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Voice {
    pub register: String,
}

/// What anyone can see: a persona may have no place.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Surface {
    pub name: String,
    pub age: u64,
    pub occupation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}

/// The fields of `layer` (named `name`) as (dotted path, value), leaves only, in order.
pub(super) fn fields(name: &str, layer: &impl Serialize) -> Vec<(String, Value)> {
    let mut fields = Vec::new();
    flatten(
        name,
        serde_json::to_value(layer).unwrap_or_default(),
        &mut fields,
    );
    fields
}

fn flatten(path: &str, value: Value, fields: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                flatten(&format!("{path}.{key}"), child, fields);
            }
        }
        leaf => fields.push((path.to_owned(), leaf)),
    }
}

/// What a fork keeps of its parent unless the refinement says otherwise: `surface.name` when
/// it is text and `surface.age` when it is a whole number, and `mask.public_bio` (whose
/// pronouns tell who the persona is) when it is text; anything else reads as absent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct ParentIdentity {
    #[serde(deserialize_with = "lenient_object")]
    surface: ParentSurface,
    #[serde(deserialize_with = "lenient_object")]
    mask: ParentMask,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ParentMask {
    #[serde(deserialize_with = "lenient")]
    public_bio: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ParentSurface {
    #[serde(deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(deserialize_with = "lenient")]
    age: Option<u64>,
}

impl ParentIdentity {
    pub fn of(parent_layers: &Value) -> Self {
        from_object(parent_layers)
    }

    pub fn name(&self) -> Option<&str> {
        self.surface.name.as_deref()
    }

    pub fn age(&self) -> Option<u64> {
        self.surface.age
    }

    pub fn public_bio(&self) -> Option<&str> {
        self.mask.public_bio.as_deref()
    }
}

/// A field of another type than expected reads as its default, leaving its neighbours alone.
pub(super) fn lenient<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    deserializer: D,
) -> Result<T, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(T::deserialize(value).unwrap_or_default())
}

/// [`lenient`] for a struct, which only an object gives (never a list read field by field).
pub(super) fn lenient_object<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(
    deserializer: D,
) -> Result<T, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(from_object(&value))
}

/// `T` read from `value` when it is an object of the right fields, else its default.
pub(super) fn from_object<T: DeserializeOwned + Default>(value: &Value) -> T {
    if value.is_object() {
        T::deserialize(value).unwrap_or_default()
    } else {
        T::default()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_layer_flattens_to_its_leaves_in_the_document_order() {
        let self_layer = SelfLayer {
            big_five: BigFive::from_scores([0.1, 0.2, 0.3, 0.4, 0.5]),
            archetype: "the-sage".to_owned(),
        };
        let paths: Vec<String> = fields("self", &self_layer)
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        assert_eq!(
            paths,
            [
                "self.big_five.O",
                "self.big_five.C",
                "self.big_five.E",
                "self.big_five.A",
                "self.big_five.N",
                "self.archetype"
            ]
        );
        let surface = Surface {
            name: "Ada".to_owned(),
            age: 41,
            occupation: "Nurse".to_owned(),
            place: None,
        };
        assert_eq!(
            fields("surface", &surface),
            [
                ("surface.name".to_owned(), json!("Ada")),
                ("surface.age".to_owned(), json!(41)),
                ("surface.occupation".to_owned(), json!("Nurse")),
            ]
        );
    }

    #[test]
    fn a_parent_field_of_another_shape_reads_as_absent_alone() {
        let parent = ParentIdentity::of(&json!({"surface": {"name": "Kim", "age": 40.5}}));
        assert_eq!((parent.name(), parent.age()), (Some("Kim"), None));
        let parent = ParentIdentity::of(&json!({"surface": {"name": ["Kim"], "age": 40}}));
        assert_eq!((parent.name(), parent.age()), (None, Some(40)));
        let listed = ParentIdentity::of(&json!({"surface": ["Kim", 40]}));
        assert_eq!(
            (listed.name(), listed.age()),
            (None, None),
            "a list is no surface"
        );
    }
}
