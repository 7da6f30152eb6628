//! A neutral, owned picture of a structured-clone value (what `postMessage`
//! carries), so the protocol core never touches JavaScript types. The browser
//! adapter converts `JsValue` → [`Value`] for incoming messages and
//! [`Value`] → `JsValue` for replies.
//!
//! The adapter bounds what it converts (depth, entries, byte and string
//! lengths) and turns anything else — functions, symbols, dates, typed arrays
//! other than `Uint8Array`, oversized parts — into [`Value::Unsupported`].

/// One structured-clone value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Undefined,
    Null,
    Bool(bool),
    Number(f64),
    /// A JavaScript `BigInt`, saturated to the `i128` range.
    BigInt(i128),
    String(String),
    /// A `Uint8Array`.
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    /// A plain object's own enumerable properties, in order.
    Object(Vec<(String, Value)>),
    /// Anything else; the text says what it was.
    Unsupported(&'static str),
}

impl Value {
    /// The property `key` of an object; `None` for a missing property and
    /// for non-objects.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Like [`Value::get`], but `undefined` counts as missing, as optional
    /// fields do in JavaScript.
    pub fn get_defined(&self, key: &str) -> Option<&Value> {
        self.get(key).filter(|value| **value != Value::Undefined)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// What kind of value this is, for error messages ("a string").
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Undefined => "undefined",
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::BigInt(_) => "a bigint",
            Value::String(_) => "a string",
            Value::Bytes(_) => "a Uint8Array",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
            Value::Unsupported(what) => what,
        }
    }

    /// An object from `(key, value)` pairs.
    pub fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
        Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_treat_undefined_properties_as_missing() {
        let value = Value::object([("a", Value::Undefined), ("b", Value::Null)]);
        assert_eq!(value.get("a"), Some(&Value::Undefined));
        assert_eq!(value.get_defined("a"), None);
        assert_eq!(value.get_defined("b"), Some(&Value::Null));
        assert_eq!(Value::Null.get("a"), None);
    }
}
