//! Structured-clone values ⇄ [`Value`].
//!
//! Incoming conversion is total and bounded: depth, collection entries,
//! byte and string lengths and the total number of nodes are capped; what
//! exceeds a cap, and every kind the protocol never uses, becomes
//! [`Value::Unsupported`], so the core refuses it with a typed error. A
//! throwing property getter is caught, never propagated.

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::authorize::value::Value;

const MAX_DEPTH: usize = 8;
const MAX_ENTRIES: u32 = 64;
const MAX_NODES: usize = 512;
const MAX_BYTES: u32 = 64 * 1024;
const MAX_STRING_UNITS: u32 = 16 * 1024;

/// Converts an incoming message (`event.data`).
pub fn value_from_js(value: &JsValue) -> Value {
    let mut budget = MAX_NODES;
    convert(value, 0, &mut budget)
}

fn convert(value: &JsValue, depth: usize, budget: &mut usize) -> Value {
    if *budget == 0 {
        return Value::Unsupported("a message too large to read");
    }
    *budget -= 1;
    if value.is_undefined() {
        return Value::Undefined;
    }
    if value.is_null() {
        return Value::Null;
    }
    if let Some(flag) = value.as_bool() {
        return Value::Bool(flag);
    }
    if let Some(number) = value.as_f64() {
        return Value::Number(number);
    }
    if value.is_bigint() {
        return Value::BigInt(bigint(value));
    }
    if let Some(text) = value.dyn_ref::<js_sys::JsString>() {
        if text.length() > MAX_STRING_UNITS {
            return Value::Unsupported("a string too long to read");
        }
        return text.as_string().map_or(
            Value::Unsupported("a string that is not valid Unicode"),
            Value::String,
        );
    }
    if value.is_symbol() {
        return Value::Unsupported("a symbol");
    }
    if value.is_function() {
        return Value::Unsupported("a function");
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        if bytes.length() > MAX_BYTES {
            return Value::Unsupported("a Uint8Array too large to read");
        }
        return Value::Bytes(bytes.to_vec());
    }
    if value.is_instance_of::<ArrayBuffer>() {
        return Value::Unsupported("an ArrayBuffer");
    }
    if ArrayBuffer::is_view(value) {
        return Value::Unsupported("a typed array other than Uint8Array");
    }
    if depth >= MAX_DEPTH {
        return Value::Unsupported("a value nested too deeply");
    }
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        if array.length() > MAX_ENTRIES {
            return Value::Unsupported("an array too long to read");
        }
        return Value::Array(
            array
                .iter()
                .map(|item| convert(&item, depth + 1, budget))
                .collect(),
        );
    }
    let Some(object) = value.dyn_ref::<Object>() else {
        return Value::Unsupported("an unknown kind of value");
    };
    let keys = Object::keys(object);
    if keys.length() > MAX_ENTRIES {
        return Value::Unsupported("an object with too many properties");
    }
    let entries = keys
        .iter()
        .filter_map(|key| {
            let name = key.as_string()?;
            let item = match Reflect::get(object, &key) {
                Ok(item) => convert(&item, depth + 1, budget),
                Err(_) => Value::Unsupported("an unreadable property"),
            };
            Some((name, item))
        })
        .collect();
    Value::Object(entries)
}

/// A `BigInt`, saturated to the `i128` range.
fn bigint(value: &JsValue) -> i128 {
    match i128::try_from(value.clone()) {
        Ok(n) => n,
        Err(_) => {
            let negative = value
                .unchecked_ref::<js_sys::BigInt>()
                .to_string(10)
                .ok()
                .and_then(|text| text.as_string())
                .is_some_and(|text| text.starts_with('-'));
            if negative { i128::MIN } else { i128::MAX }
        }
    }
}

/// Converts an outgoing message.
pub fn value_to_js(value: &Value) -> JsValue {
    match value {
        Value::Undefined | Value::Unsupported(_) => JsValue::UNDEFINED,
        Value::Null => JsValue::NULL,
        Value::Bool(flag) => JsValue::from_bool(*flag),
        Value::Number(number) => JsValue::from_f64(*number),
        Value::BigInt(n) => js_sys::BigInt::from(*n).into(),
        Value::String(text) => JsValue::from_str(text),
        Value::Bytes(bytes) => Uint8Array::from(bytes.as_slice()).into(),
        Value::Array(items) => items.iter().map(value_to_js).collect::<Array>().into(),
        Value::Object(entries) => {
            let object = Object::new();
            for (key, item) in entries {
                // Defining a property on a fresh plain object cannot fail.
                let _ = Reflect::set(&object, &JsValue::from_str(key), &value_to_js(item));
            }
            object.into()
        }
    }
}
