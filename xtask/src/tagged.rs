//! Error-or-success choices decoded by their tag: a `oneOf` of two objects whose first branch (an error
//! envelope) has a required member allowed exactly one string value (ResellerClub's `ApiError`,
//! `status: enum [ERROR]`) is read in one pass by `sdk_core::decode::tagged::error_or`, instead of
//! `#[serde(untagged)]` trial decoding (which buffers the whole body, scans it as the envelope, then decodes
//! a copy as the other branch). The choice means the same: "read in order", the envelope when its tag says
//! so, else the other branch.
//!
//! The pass replaces the derived `Deserialize` of each such enum (progenitor emits `#[serde(untagged)]`
//! with one tuple variant per branch); `Serialize` stays derived. It fails `cargo xtask generate` by name when
//! the enum it expects is not there or has another shape.

use quote::format_ident;
use serde_json::Value;

/// A choice to decode by its tag, read from the spec.
#[derive(Debug, PartialEq)]
pub struct Choice {
    /// The `oneOf` schema (the enum's name).
    name: String,
    /// The envelope branch and the other one (the variants' names).
    envelope: String,
    other: String,
    tag: String,
    value: String,
    /// The envelope's members.
    members: Vec<String>,
}

fn resolve<'a>(spec: &'a Value, value: &'a Value) -> Option<(&'a str, &'a Value)> {
    let reference = value.get("$ref")?.as_str()?;
    let name = reference.strip_prefix("#/components/schemas/")?;
    Some((name, spec.pointer(reference.trim_start_matches('#'))?))
}

fn is_object(schema: &Value) -> bool {
    schema["type"] == "object"
        || schema.get("properties").is_some()
        || schema.get("additionalProperties").is_some()
}

/// The spec's choices that are told apart by a tag (see the module docs).
pub fn find(spec: &Value) -> Vec<Choice> {
    let Some(schemas) = spec["components"]["schemas"].as_object() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (name, schema) in schemas {
        let Some([first, second]) = schema["oneOf"].as_array().map(Vec::as_slice) else {
            continue;
        };
        let (Some((envelope, first)), Some((other, second))) =
            (resolve(spec, first), resolve(spec, second))
        else {
            continue;
        };
        // The envelope's members must be known (no other members kept), and both branches objects.
        if !is_object(first) || !is_object(second) || first.get("additionalProperties").is_some() {
            continue;
        }
        let Some(properties) = first["properties"].as_object() else {
            continue;
        };
        let required = first["required"].as_array().cloned().unwrap_or_default();
        let tag = properties.iter().find_map(|(member, property)| {
            let values = property["enum"].as_array()?;
            match values.as_slice() {
                [Value::String(value)] if required.contains(&Value::String(member.clone())) => {
                    Some((member.clone(), value.clone()))
                }
                _ => None,
            }
        });
        let Some((tag, value)) = tag else {
            continue;
        };
        found.push(Choice {
            name: name.clone(),
            envelope: envelope.to_string(),
            other: other.to_string(),
            tag,
            value,
            members: properties.keys().cloned().collect(),
        });
    }
    found
}

/// Replaces the derived `Deserialize` of every tagged choice of `spec` in `mod types`; returns one line per
/// choice, for the generator's report.
pub fn decode_by_tag(file: &mut syn::File, spec: &Value) -> Result<Vec<String>, String> {
    let choices = find(spec);
    if choices.is_empty() {
        return Ok(Vec::new());
    }
    let types =
        crate::syntax::module_mut(file, "types").ok_or("no `mod types` in the generated code")?;
    let mut report = Vec::new();
    let mut impls: Vec<syn::Item> = Vec::new();
    for choice in &choices {
        let name = format_ident!("{}", choice.name);
        let enumeration = types
            .iter_mut()
            .find_map(|item| match item {
                syn::Item::Enum(e) if e.ident == name => Some(e),
                _ => None,
            })
            .ok_or_else(|| {
                format!(
                    "tagged choice `{}`: no enum `types::{}`",
                    choice.name, choice.name
                )
            })?;
        let variants: Vec<String> = enumeration
            .variants
            .iter()
            .map(|v| v.ident.to_string())
            .collect();
        if variants != [choice.envelope.clone(), choice.other.clone()]
            || enumeration.variants.iter().any(|v| v.fields.len() != 1)
        {
            return Err(format!(
                "tagged choice `{}`: expected the variants `{}(..)` and `{}(..)`, found {variants:?}",
                choice.name, choice.envelope, choice.other
            ));
        }
        let mut derived = false;
        for attr in &mut enumeration.attrs {
            if !attr.path().is_ident("derive") {
                continue;
            }
            let Ok(list) = attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            ) else {
                continue;
            };
            let kept: Vec<&syn::Path> = list
                .iter()
                .filter(|path| {
                    path.segments
                        .last()
                        .is_none_or(|s| s.ident != "Deserialize")
                })
                .collect();
            if kept.len() < list.len() {
                derived = true;
                *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
            }
        }
        if !derived {
            return Err(format!(
                "tagged choice `{}`: the enum does not derive `Deserialize` (nothing to replace)",
                choice.name
            ));
        }
        let envelope = format_ident!("{}", choice.envelope);
        let other = format_ident!("{}", choice.other);
        let (tag, value) = (&choice.tag, &choice.value);
        let members = &choice.members;
        let doc = format!(
            "`{}` when `{tag}` is `{value}`, else `{}`: read in one pass (see `sdk_core::decode::tagged`).",
            choice.envelope, choice.other
        );
        impls.push(syn::parse_quote! {
            #[doc = #doc]
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::std::result::Result<Self, D::Error> {
                    let envelope = sdk_core::decode::tagged::Envelope {
                        tag: #tag,
                        value: #value,
                        members: &[#(#members),*],
                    };
                    Ok(match sdk_core::decode::tagged::error_or(deserializer, envelope)? {
                        sdk_core::decode::tagged::ErrorOr::Error(error) => Self::#envelope(error),
                        sdk_core::decode::tagged::ErrorOr::Success(success) => Self::#other(success),
                    })
                }
            }
        });
        report.push(format!(
            "{}: decoded by its tag `{tag}` = `{value}` ({} or {}), not by trial",
            choice.name, choice.envelope, choice.other
        ));
    }
    types.extend(impls);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec() -> Value {
        json!({"components": {"schemas": {
            "ApiError": {"type": "object", "required": ["status"], "properties": {
                "status": {"type": "string", "enum": ["ERROR"]}, "message": {"type": "string"}}},
            "Page": {"type": "object", "additionalProperties": {"type": "string"}},
            "PageOrError": {"oneOf": [{"$ref": "#/components/schemas/ApiError"}, {"$ref": "#/components/schemas/Page"}]},
            "Untold": {"oneOf": [{"$ref": "#/components/schemas/Page"}, {"$ref": "#/components/schemas/ApiError"}]}
        }}})
    }

    #[test]
    fn finds_the_choices_told_by_a_tag_and_only_those() {
        let found = find(&spec());
        assert_eq!(
            found,
            [Choice {
                name: "PageOrError".into(),
                envelope: "ApiError".into(),
                other: "Page".into(),
                tag: "status".into(),
                value: "ERROR".into(),
                members: vec!["message".into(), "status".into()],
            }]
        );
    }

    #[test]
    fn fails_by_name_when_the_enum_is_not_there_or_not_derived() {
        let mut file: syn::File = syn::parse_quote! { pub mod types { pub struct PageOrError; } };
        let err = decode_by_tag(&mut file, &spec()).unwrap_err();
        assert!(err.contains("no enum `types::PageOrError`"), "{err}");
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(Clone)]
                pub enum PageOrError { ApiError(ApiError), Page(Page) }
            }
        };
        let err = decode_by_tag(&mut file, &spec()).unwrap_err();
        assert!(err.contains("does not derive `Deserialize`"), "{err}");
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
                #[serde(untagged)]
                pub enum PageOrError { ApiError(ApiError), Page(Page) }
            }
        };
        let report = decode_by_tag(&mut file, &spec()).unwrap();
        assert_eq!(report.len(), 1);
        let code = prettyplease::unparse(&file);
        assert!(
            code.contains("#[derive(::serde::Serialize, Clone)]"),
            "{code}"
        );
        assert!(
            code.contains("impl<'de> ::serde::Deserialize<'de> for PageOrError"),
            "{code}"
        );
    }
}
