//! What a protocol type looks like on the wire, read from its own serde implementation: a
//! `Shape` (fields with their names as serialized, optional or not, strings, numbers, lists,
//! enums). `shape_of::<T>()` runs `T`'s `Deserialize` against a probe that answers every request
//! with a sample value and notes what was asked for, so the description cannot drift from the
//! type. tests/it/protocol.rs compares these shapes with what the editors and the document declare.

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;
use std::fmt;

/// A type as the wire sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Bool,
    /// A JSON number that is always an integer.
    Integer,
    Number,
    String,
    /// One of these strings (a unit-only enum).
    Enum(Vec<String>),
    /// May be left out or `null`.
    Option(Box<Shape>),
    List(Box<Shape>),
    /// An object with arbitrary keys.
    Map(Box<Shape>),
    /// An object with these fields. `open`: the fields come from a sample value rather than from
    /// the type, so a client may declare a subset.
    Object {
        name: String,
        fields: Vec<(String, Shape)>,
        open: bool,
    },
    /// Any JSON value.
    Any,
}

impl Shape {
    /// The fields of an object shape (none for any other).
    pub fn fields(&self) -> &[(String, Shape)] {
        match self {
            Shape::Object { fields, .. } => fields,
            _ => &[],
        }
    }

    /// The shape of a value, for types that only serialize: objects by their keys, the rest by
    /// JSON type. `name` names the outermost object.
    pub fn of_value(name: &str, v: &serde_json::Value) -> Shape {
        use serde_json::Value;
        match v {
            Value::Null => Shape::Any,
            Value::Bool(_) => Shape::Bool,
            Value::Number(n) if n.is_f64() => Shape::Number,
            Value::Number(_) => Shape::Integer,
            Value::String(_) => Shape::String,
            Value::Array(a) => Shape::List(Box::new(
                a.first().map_or(Shape::Any, |x| Shape::of_value("", x)),
            )),
            Value::Object(m) => Shape::Object {
                name: name.to_owned(),
                fields: m
                    .iter()
                    .map(|(k, v)| (k.clone(), Shape::of_value("", v)))
                    .collect(),
                open: true,
            },
        }
    }
}

/// The shape `T` deserializes from. Panics with the reason if `T`'s implementation refuses every
/// sample the probe offers (a validator this probe does not satisfy): a bug in a protocol type,
/// found by the tests that call this.
pub fn shape_of<T: DeserializeOwned>() -> Shape {
    let mut shape = Shape::Any;
    if let Err(e) = T::deserialize(Probe(&mut shape)) {
        panic!("{}: {e}", std::any::type_name::<T>());
    }
    shape
}

/// The string the probe offers wherever a string is asked for: non-empty, and a valid URI and
/// path, so the protocol's string validators accept it.
const SAMPLE: &str = "file:///probe";

type Error = de::value::Error;

struct Probe<'a>(&'a mut Shape);

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        *self.0 = Shape::Any;
        v.visit_unit()
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        *self.0 = Shape::Bool;
        v.visit_bool(false)
    }

    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.integer(v)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        *self.0 = Shape::Number;
        v.visit_f64(0.0)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        *self.0 = Shape::Number;
        v.visit_f64(0.0)
    }

    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        *self.0 = Shape::String;
        v.visit_char('x')
    }
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        *self.0 = Shape::String;
        v.visit_str(SAMPLE)
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let mut inner = Shape::Any;
        let value = v.visit_some(Probe(&mut inner))?;
        *self.0 = Shape::Option(Box::new(inner));
        Ok(value)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let mut inner = Shape::Any;
        let value = v.visit_seq(One {
            shape: &mut inner,
            done: false,
        })?;
        *self.0 = Shape::List(Box::new(inner));
        Ok(value)
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let mut inner = Shape::Any;
        let value = v.visit_map(Fields {
            names: &["key"],
            shapes: std::slice::from_mut(&mut inner),
            next: 0,
        })?;
        *self.0 = Shape::Map(Box::new(inner));
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        names: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        let mut shapes = vec![Shape::Any; names.len()];
        let value = v.visit_map(Fields {
            names,
            shapes: &mut shapes,
            next: 0,
        })?;
        *self.0 = Shape::Object {
            name: name.to_owned(),
            fields: names.iter().map(|n| n.to_string()).zip(shapes).collect(),
            open: false,
        };
        Ok(value)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        *self.0 = Shape::Enum(variants.iter().map(|s| s.to_string()).collect());
        let first = variants
            .first()
            .ok_or_else(|| de::Error::custom("an enum without variants"))?;
        v.visit_enum(UnitVariant(first))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_unit()
    }

    forward_to_deserialize_any! {
        i128 u128 bytes byte_buf unit unit_struct tuple tuple_struct
    }
}

impl Probe<'_> {
    fn integer<'de, V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        *self.0 = Shape::Integer;
        v.visit_u64(0)
    }
}

/// A list of one element, probed.
struct One<'a> {
    shape: &'a mut Shape,
    done: bool,
}

impl<'de> de::SeqAccess<'de> for One<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if std::mem::replace(&mut self.done, true) {
            return Ok(None);
        }
        seed.deserialize(Probe(self.shape)).map(Some)
    }
}

/// An object holding each of `names` once, every value probed.
struct Fields<'a> {
    names: &'static [&'static str],
    shapes: &'a mut [Shape],
    next: usize,
}

impl<'de> de::MapAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.names.get(self.next) {
            Some(name) => seed.deserialize(name.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let i = self.next;
        self.next += 1;
        seed.deserialize(Probe(&mut self.shapes[i]))
    }
}

/// The first variant of an enum, which must be a unit variant (the protocol's enums are).
struct UnitVariant(&'static str);

impl<'de> de::EnumAccess<'de> for UnitVariant {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        Ok((seed.deserialize(self.0.into_deserializer())?, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariant {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _: T) -> Result<T::Value, Error> {
        Err(de::Error::custom(format!(
            "variant {} carries data",
            self.0
        )))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Error> {
        Err(de::Error::custom(format!(
            "variant {} carries data",
            self.0
        )))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Error> {
        Err(de::Error::custom(format!(
            "variant {} carries data",
            self.0
        )))
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Bool => f.write_str("boolean"),
            Shape::Integer => f.write_str("integer"),
            Shape::Number => f.write_str("number"),
            Shape::String => f.write_str("string"),
            Shape::Enum(v) => write!(f, "{}", v.join(" | ")),
            Shape::Option(s) => write!(f, "{s}?"),
            Shape::List(s) => write!(f, "{s}[]"),
            Shape::Map(s) => write!(f, "{{ [key]: {s} }}"),
            Shape::Object { name, .. } => f.write_str(name),
            Shape::Any => f.write_str("any"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Deserialize)]
    #[allow(dead_code)]
    enum Color {
        #[serde(rename = "red")]
        Red,
        #[serde(rename = "blue")]
        Blue,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Inner {
        path: std::path::PathBuf,
        uri: Option<tower_lsp::lsp_types::Url>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Outer {
        flag: bool,
        count_all: u32,
        ratio: Option<f64>,
        names: Vec<String>,
        color: Option<Color>,
        inner: Option<Inner>,
        counts: BTreeMap<String, u64>,
        raw: serde_json::Value,
    }

    #[test]
    fn a_type_is_described_by_its_own_deserialize() {
        let s = shape_of::<Outer>();
        let opt = |s: Shape| Shape::Option(Box::new(s));
        let expected = Shape::Object {
            name: "Outer".into(),
            open: false,
            fields: vec![
                ("flag".into(), Shape::Bool),
                ("countAll".into(), Shape::Integer),
                ("ratio".into(), opt(Shape::Number)),
                ("names".into(), Shape::List(Box::new(Shape::String))),
                (
                    "color".into(),
                    opt(Shape::Enum(vec!["red".into(), "blue".into()])),
                ),
                (
                    "inner".into(),
                    opt(Shape::Object {
                        name: "Inner".into(),
                        open: false,
                        fields: vec![
                            ("path".into(), Shape::String),
                            ("uri".into(), opt(Shape::String)),
                        ],
                    }),
                ),
                ("counts".into(), Shape::Map(Box::new(Shape::Integer))),
                ("raw".into(), Shape::Any),
            ],
        };
        assert_eq!(s, expected);
    }

    #[test]
    fn a_serialized_value_gives_an_open_shape() {
        let v = serde_json::json!({"files": 1, "errors": [], "ratio": 0.5, "name": "x"});
        let s = Shape::of_value("Report", &v);
        let Shape::Object { name, fields, open } = &s else {
            panic!("{s:?}")
        };
        assert!(*open && name == "Report");
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["errors", "files", "name", "ratio"]);
        assert_eq!(fields[1].1, Shape::Integer);
        assert_eq!(fields[3].1, Shape::Number);
    }
}
