//! A validator for the OpenAPI 3.0 Schema Object subset the specs use, so `cargo xtask lint` can check every
//! example against its schema with OpenAPI's own semantics (not JSON Schema's):
//! `nullable`, `$ref` into the same document, `allOf` / `oneOf` (exactly one) / `anyOf` / `not`, `type`
//! (`integer` is a whole number), `enum`, `required`, `properties`, `additionalProperties`, `items`,
//! `minItems` / `maxItems` / `uniqueItems`, `minProperties` / `maxProperties`, `minimum` / `maximum` with the
//! boolean `exclusiveMinimum` / `exclusiveMaximum` of 3.0, `multipleOf`, `minLength` / `maxLength`,
//! `pattern` (ECMA-262, as OpenAPI specifies, unanchored) and the formats `date`, `date-time`, `int32`,
//! `int64`, `uuid` and `email`. `x-extensible-enum` lists known values of an open string, so it constrains
//! nothing; other formats (`password`, `binary`, ...) are annotations.

use serde_json::{Map, Value};

/// A failed constraint: where in the value (a JSON pointer; empty for the value itself) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub at: String,
    pub message: String,
}

/// `$ref` chains deeper than this are reported instead of followed (a schema that refers to itself
/// through a value of unbounded depth is fine; a loop of bare `$ref`s is not).
const MAX_DEPTH: usize = 64;

/// Validates values against schemas of one OpenAPI document (which `$ref`s resolve into).
pub struct Validator<'a> {
    document: &'a Value,
}

impl<'a> Validator<'a> {
    pub fn new(document: &'a Value) -> Self {
        Validator { document }
    }

    /// Every violation of `schema` by `value` (empty when the value is valid).
    pub fn validate(&self, schema: &Value, value: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check(schema, value, "", 0, &mut out);
        out
    }

    fn resolve(&self, reference: &str) -> Option<&'a Value> {
        self.document.pointer(reference.strip_prefix('#')?)
    }

    fn check(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let mut fail = |message: String| {
            out.push(Violation {
                at: at.to_string(),
                message,
            })
        };
        if depth > MAX_DEPTH {
            fail("schema nesting too deep (a `$ref` loop?)".to_string());
            return;
        }
        let Some(schema) = schema.as_object() else {
            // `true`/`{}`-like schemas (e.g. `additionalProperties: true`) accept everything.
            if schema == &Value::Bool(false) {
                fail("no value is allowed here".to_string());
            }
            return;
        };
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            // In OpenAPI 3.0 a `$ref` object's siblings are ignored.
            match self.resolve(reference) {
                Some(target) => self.check(target, value, at, depth + 1, out),
                None => fail(format!(
                    "`$ref` {reference} does not resolve in this document"
                )),
            }
            return;
        }
        if value.is_null() && schema.get("nullable") == Some(&Value::Bool(true)) {
            return;
        }
        let mut nested = Vec::new();
        for part in array(schema, "allOf") {
            self.check(part, value, at, depth + 1, &mut nested);
        }
        out.append(&mut nested);
        if let Some(choices) = schema.get("oneOf").and_then(Value::as_array) {
            self.check_one_of(choices, value, at, depth, out);
        }
        if let Some(choices) = schema.get("anyOf").and_then(Value::as_array)
            && !choices
                .iter()
                .any(|c| self.validate_at(c, value, depth).is_empty())
        {
            self.push(out, at, "matches none of the `anyOf` schemas".to_string());
        }
        if let Some(negated) = schema.get("not")
            && self.validate_at(negated, value, depth).is_empty()
        {
            self.push(out, at, "matches the schema under `not`".to_string());
        }
        if let Some(kind) = schema.get("type").and_then(Value::as_str)
            && !has_type(value, kind)
        {
            self.push(
                out,
                at,
                format!("expected {kind}, found {}", describe(value)),
            );
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.iter().any(|a| same(a, value))
        {
            let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
            self.push(
                out,
                at,
                format!(
                    "{value} is not one of the enum values [{}]",
                    list.join(", ")
                ),
            );
        }
        match value {
            Value::Object(members) => self.check_object(schema, members, at, depth, out),
            Value::Array(items) => self.check_array(schema, items, at, depth, out),
            Value::String(text) => self.check_string(schema, text, at, out),
            Value::Number(_) => check_number(schema, value, at, out),
            _ => {}
        }
    }

    fn validate_at(&self, schema: &Value, value: &Value, depth: usize) -> Vec<Violation> {
        let mut out = Vec::new();
        self.check(schema, value, "", depth + 1, &mut out);
        out
    }

    fn push(&self, out: &mut Vec<Violation>, at: &str, message: String) {
        out.push(Violation {
            at: at.to_string(),
            message,
        });
    }

    fn check_one_of(
        &self,
        choices: &[Value],
        value: &Value,
        at: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        let results: Vec<Vec<Violation>> = choices
            .iter()
            .map(|c| self.validate_at(c, value, depth))
            .collect();
        let matching: Vec<usize> = (0..choices.len())
            .filter(|&i| results[i].is_empty())
            .collect();
        match matching.len() {
            1 => {}
            0 => {
                // Say why each branch fails, first reason only, so the nearest one is easy to spot.
                let reasons: Vec<String> = results
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let first = &r[0];
                        format!("#{i} {}: {}", branch_name(&choices[i]), located(first))
                    })
                    .collect();
                self.push(
                    out,
                    at,
                    format!(
                        "matches none of the `oneOf` schemas ({})",
                        reasons.join("; ")
                    ),
                );
            }
            _ => {
                let names: Vec<String> = matching
                    .iter()
                    .map(|&i| format!("#{i} {}", branch_name(&choices[i])))
                    .collect();
                self.push(
                    out,
                    at,
                    format!(
                        "matches more than one `oneOf` schema ({}); `oneOf` needs exactly one",
                        names.join(", ")
                    ),
                );
            }
        }
    }

    fn check_object(
        &self,
        schema: &Map<String, Value>,
        members: &Map<String, Value>,
        at: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        for name in array(schema, "required").filter_map(Value::as_str) {
            if !members.contains_key(name) {
                self.push(out, at, format!("required property `{name}` is missing"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, member) in members {
            let member_at = format!("{at}/{}", escape(name));
            match properties.and_then(|p| p.get(name)) {
                Some(property) => self.check(property, member, &member_at, depth + 1, out),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => self.push(
                        out,
                        at,
                        format!("property `{name}` is not allowed (additionalProperties: false)"),
                    ),
                    Some(extra @ Value::Object(_)) => {
                        self.check(extra, member, &member_at, depth + 1, out)
                    }
                    _ => {}
                },
            }
        }
        let count = members.len() as f64;
        bound(schema, "minProperties", count, at, out, |n, min| {
            (n < min).then(|| format!("has {n} properties, fewer than minProperties {min}"))
        });
        bound(schema, "maxProperties", count, at, out, |n, max| {
            (n > max).then(|| format!("has {n} properties, more than maxProperties {max}"))
        });
    }

    fn check_array(
        &self,
        schema: &Map<String, Value>,
        items: &[Value],
        at: &str,
        depth: usize,
        out: &mut Vec<Violation>,
    ) {
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                self.check(item_schema, item, &format!("{at}/{i}"), depth + 1, out);
            }
        }
        let count = items.len() as f64;
        bound(schema, "minItems", count, at, out, |n, min| {
            (n < min).then(|| format!("has {n} items, fewer than minItems {min}"))
        });
        bound(schema, "maxItems", count, at, out, |n, max| {
            (n > max).then(|| format!("has {n} items, more than maxItems {max}"))
        });
        if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
            for (i, item) in items.iter().enumerate() {
                if items[..i].iter().any(|earlier| same(earlier, item)) {
                    self.push(
                        out,
                        &format!("{at}/{i}"),
                        "repeats an earlier item (uniqueItems)".to_string(),
                    );
                }
            }
        }
    }

    fn check_string(
        &self,
        schema: &Map<String, Value>,
        text: &str,
        at: &str,
        out: &mut Vec<Violation>,
    ) {
        let length = text.chars().count() as f64;
        bound(schema, "minLength", length, at, out, |n, min| {
            (n < min).then(|| format!("is {n} characters long, shorter than minLength {min}"))
        });
        bound(schema, "maxLength", length, at, out, |n, max| {
            (n > max).then(|| format!("is {n} characters long, longer than maxLength {max}"))
        });
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            match regress::Regex::new(pattern) {
                Ok(regex) if regex.find(text).is_none() => self.push(
                    out,
                    at,
                    format!("{text:?} does not match pattern {pattern:?}"),
                ),
                Ok(_) => {}
                Err(e) => self.push(
                    out,
                    at,
                    format!("pattern {pattern:?} is not an ECMA-262 regular expression: {e}"),
                ),
            }
        }
        let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
        let valid = match format {
            "date" => is_date(text),
            "date-time" => is_date_time(text),
            "uuid" => is_uuid(text),
            "email" => is_email(text),
            _ => true,
        };
        if !valid {
            self.push(out, at, format!("{text:?} is not a valid `{format}`"));
        }
    }
}

fn check_number(schema: &Map<String, Value>, value: &Value, at: &str, out: &mut Vec<Violation>) {
    let Some(n) = value.as_f64() else { return };
    let exclusive = |key: &str| schema.get(key) == Some(&Value::Bool(true));
    let mut fail = |message: String| {
        out.push(Violation {
            at: at.to_string(),
            message,
        })
    };
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && (n < min || (exclusive("exclusiveMinimum") && n == min))
    {
        let op = if exclusive("exclusiveMinimum") {
            "<="
        } else {
            "<"
        };
        fail(format!("{value} {op} minimum {min}"));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
        && (n > max || (exclusive("exclusiveMaximum") && n == max))
    {
        let op = if exclusive("exclusiveMaximum") {
            ">="
        } else {
            ">"
        };
        fail(format!("{value} {op} maximum {max}"));
    }
    if let Some(step) = schema.get("multipleOf").and_then(Value::as_f64)
        && step > 0.0
        && ((n / step).round() * step - n).abs() > 1e-9 * n.abs().max(1.0)
    {
        fail(format!("{value} is not a multiple of {step}"));
    }
    let range = match schema.get("format").and_then(Value::as_str) {
        Some("int32") => Some((i32::MIN as f64, i32::MAX as f64)),
        Some("int64") => Some((i64::MIN as f64, i64::MAX as f64)),
        _ => None,
    };
    if let Some((low, high)) = range
        && !(low..=high).contains(&n)
    {
        fail(format!("{value} does not fit the format's range"));
    }
}

/// Checks a count against a numeric keyword (`minItems`, ...), if the schema has it.
fn bound(
    schema: &Map<String, Value>,
    key: &str,
    count: f64,
    at: &str,
    out: &mut Vec<Violation>,
    test: impl Fn(f64, f64) -> Option<String>,
) {
    if let Some(message) = schema
        .get(key)
        .and_then(Value::as_f64)
        .and_then(|limit| test(count, limit))
    {
        out.push(Violation {
            at: at.to_string(),
            message,
        });
    }
}

fn array<'s>(schema: &'s Map<String, Value>, key: &str) -> impl Iterator<Item = &'s Value> {
    schema
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|n| n.fract() == 0.0)
        }
        _ => true,
    }
}

/// JSON equality, except that numbers compare by value (`1` equals `1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn describe(value: &Value) -> String {
    let kind = match value {
        Value::Null => return "null".to_string(),
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let mut shown = value.to_string();
    if shown.len() > 40 {
        shown = format!("{}...", shown.chars().take(40).collect::<String>());
    }
    format!("{kind} {shown}")
}

fn branch_name(schema: &Value) -> String {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .rsplit('/')
            .next()
            .unwrap_or(reference)
            .to_string(),
        None => "(inline)".to_string(),
    }
}

fn located(violation: &Violation) -> String {
    if violation.at.is_empty() {
        violation.message.clone()
    } else {
        format!("{}: {}", violation.at, violation.message)
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYY-MM-DD`, a real calendar date.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts[..] else {
        return false;
    };
    if year.len() != 4
        || month.len() != 2
        || day.len() != 2
        || !(digits(year) && digits(month) && digits(day))
    {
        return false;
    }
    let (year, month, day): (u32, u32, u32) = (
        year.parse().unwrap_or(0),
        month.parse().unwrap_or(0),
        day.parse().unwrap_or(0),
    );
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// RFC 3339 `date-time`: a date, `T`, `hh:mm:ss[.frac]` and `Z` or `±hh:mm`.
fn is_date_time(text: &str) -> bool {
    let Some((date, time)) = text.split_once(['T', 't']) else {
        return false;
    };
    let (clock, zone) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, "+00:00")
    } else {
        match time.rfind(['+', '-']) {
            Some(i) => (&time[..i], &time[i + 1..]),
            None => return false,
        }
    };
    let clock = clock.split('.').next().unwrap_or("");
    let hms: Vec<&str> = clock.split(':').collect();
    let zone: Vec<&str> = zone.trim_start_matches('+').split(':').collect();
    let two_digits = |parts: &[&str], limits: &[u32]| {
        parts.len() == limits.len()
            && parts.iter().zip(limits).all(|(p, &max)| {
                p.len() == 2 && digits(p) && p.parse::<u32>().is_ok_and(|n| n <= max)
            })
    };
    is_date(date) && two_digits(&hms, &[23, 59, 60]) && two_digits(&zone, &[23, 59])
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Loose on purpose: one `@`, something on each side, no spaces.
fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@') && !text.contains(' ')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(document: &Value, schema: Value, value: Value) -> Vec<String> {
        Validator::new(document)
            .validate(&schema, &value)
            .into_iter()
            .map(|v| located(&v))
            .collect()
    }

    fn plain(schema: Value, value: Value) -> Vec<String> {
        errors(&json!({}), schema, value)
    }

    #[test]
    fn types_required_and_nested_pointers() {
        let schema = json!({
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}}
            }
        });
        assert!(plain(schema.clone(), json!({"id": 3, "tags": ["a"]})).is_empty());
        assert_eq!(
            plain(schema.clone(), json!({"id": 3.0})),
            Vec::<String>::new()
        );
        assert_eq!(
            plain(schema.clone(), json!({"tags": ["a", 1]})),
            vec![
                "required property `id` is missing".to_string(),
                "/tags/1: expected string, found number 1".to_string()
            ]
        );
        assert_eq!(
            plain(schema, json!({"id": 1.5})),
            vec!["/id: expected integer, found number 1.5"]
        );
    }

    #[test]
    fn nullable_only_where_declared() {
        assert!(plain(json!({"type": "string", "nullable": true}), Value::Null).is_empty());
        assert_eq!(
            plain(json!({"type": "string"}), Value::Null),
            vec!["expected string, found null"]
        );
    }

    #[test]
    fn refs_resolve_into_the_document() {
        let document = json!({"components": {"schemas": {
            "Id": {"type": "string", "minLength": 2},
            "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}
        }}});
        let id = json!({"$ref": "#/components/schemas/Id"});
        assert!(errors(&document, id.clone(), json!("ab")).is_empty());
        assert_eq!(
            errors(&document, id, json!("a")),
            vec!["is 1 characters long, shorter than minLength 2"]
        );
        let node = json!({"$ref": "#/components/schemas/Node"});
        assert!(errors(&document, node, json!({"next": {"next": {}}})).is_empty());
        assert_eq!(
            errors(
                &document,
                json!({"$ref": "#/components/schemas/Gone"}),
                json!(1)
            ),
            vec!["`$ref` #/components/schemas/Gone does not resolve in this document"]
        );
    }

    #[test]
    fn enums_open_enums_and_additional_properties() {
        assert!(plain(json!({"enum": ["a", "b"]}), json!("b")).is_empty());
        assert_eq!(
            plain(json!({"type": "string", "enum": ["a", "b"]}), json!("c")),
            vec![r#""c" is not one of the enum values ["a", "b"]"#]
        );
        assert!(
            plain(
                json!({"type": "string", "x-extensible-enum": ["a"]}),
                json!("z")
            )
            .is_empty()
        );
        assert!(plain(json!({"enum": [1]}), json!(1.0)).is_empty());
        let closed =
            json!({"type": "object", "properties": {"a": {}}, "additionalProperties": false});
        assert_eq!(
            plain(closed, json!({"a": 1, "b": 2})),
            vec!["property `b` is not allowed (additionalProperties: false)"]
        );
        let map = json!({"type": "object", "additionalProperties": {"type": "integer"}});
        assert_eq!(
            plain(map, json!({"x/y": "1"})),
            vec!["/x~1y: expected integer, found string \"1\""]
        );
    }

    #[test]
    fn compositions() {
        let one_of = json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
        assert!(plain(one_of.clone(), json!(1)).is_empty());
        assert_eq!(
            plain(one_of, json!(true)),
            vec![
                "matches none of the `oneOf` schemas (#0 (inline): expected string, found boolean true; #1 (inline): expected integer, found boolean true)"
            ]
        );
        let overlapping = json!({"oneOf": [{"type": "number"}, {"type": "integer"}]});
        assert!(
            plain(overlapping, json!(2))[0].starts_with("matches more than one `oneOf` schema")
        );
        let all_of = json!({"allOf": [{"required": ["a"]}, {"required": ["b"]}]});
        assert_eq!(
            plain(all_of, json!({"a": 1})),
            vec!["required property `b` is missing"]
        );
        let not = json!({"type": "object", "not": {"required": ["captcha"]}});
        assert!(plain(not.clone(), json!({})).is_empty());
        assert_eq!(
            plain(not, json!({"captcha": 1})),
            vec!["matches the schema under `not`"]
        );
    }

    #[test]
    fn numbers_strings_and_formats() {
        assert_eq!(
            plain(json!({"minimum": 0}), json!(-1)),
            vec!["-1 < minimum 0"]
        );
        assert_eq!(
            plain(json!({"maximum": 5, "exclusiveMaximum": true}), json!(5)),
            vec!["5 >= maximum 5"]
        );
        assert_eq!(
            plain(
                json!({"type": "integer", "format": "int32"}),
                json!(4_294_967_296_i64)
            ),
            vec!["4294967296 does not fit the format's range"]
        );
        assert_eq!(
            plain(json!({"pattern": "^[0-9]+$"}), json!("12a")),
            vec![r#""12a" does not match pattern "^[0-9]+$""#]
        );
        assert!(plain(json!({"pattern": "[0-9]"}), json!("a1b")).is_empty());
        assert_eq!(plain(json!({"maxLength": 2}), json!("abc")).len(), 1);
        assert!(plain(json!({"format": "date"}), json!("2024-02-29")).is_empty());
        assert_eq!(
            plain(json!({"format": "date"}), json!("2023-02-29")),
            vec![r#""2023-02-29" is not a valid `date`"#]
        );
        assert!(
            plain(
                json!({"format": "date-time"}),
                json!("2024-01-31T23:59:01.5+02:00")
            )
            .is_empty()
        );
        assert_eq!(
            plain(json!({"format": "date-time"}), json!("2024-01-31 23:59")).len(),
            1
        );
        assert!(plain(json!({"format": "password"}), json!("anything")).is_empty());
        assert_eq!(
            plain(json!({"type": "array", "uniqueItems": true}), json!([1, 1])).len(),
            1
        );
    }
}
