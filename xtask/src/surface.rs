//! The public surface of a generated SDK, for the manifest (`manifest.rs`): one line per operation (method,
//! HTTP method and path, parameters with types, success and error types) and one per type with its fields.
//! The snapshot tests (`tests/tests/surface.rs`) compare it with the committed listing, so a spec change
//! shows as a readable diff.

use quote::ToTokens;
use syn::{Fields, Item, ItemMod, Type};

/// The surface of a generated file, one line each (the snapshot joins them with newlines).
pub fn surface(file: &syn::File) -> Vec<String> {
    let mut operations = Vec::new();
    let mut types = Vec::new();
    for item in &file.items {
        match item {
            Item::Mod(module) if module.ident == "builder" => operations = builder_lines(module),
            Item::Mod(module) if module.ident == "types" => types = type_lines(module),
            Item::Mod(module) if module.ident == "open_enums" => {
                types.extend(open_enum_lines(module))
            }
            _ => {}
        }
    }
    let mut out = vec!["# operations".to_string()];
    out.extend(operations);
    out.push(String::new());
    out.push("# types".to_string());
    out.extend(types);
    out
}

/// A type as a reader would write it: `Option<Vec<types::Account>>`.
fn show(ty: &impl ToTokens) -> String {
    let text = ty.to_token_stream().to_string();
    let text = text
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace(" <", "<");
    let text = text
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("& ", "&")
        .replace(",>", ">");
    let mut text = text;
    for prefix in [
        "::std::option::",
        "::std::string::",
        "::std::vec::",
        "::std::collections::",
        "::std::num::",
        "::serde_json::",
        "::sdk_core::",
        "sdk_core::",
        "::chrono::",
        "super::",
        "crate::",
    ] {
        text = text.replace(prefix, "");
    }
    text.trim_start_matches("::").to_string()
}

fn doc_text(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `Result<Option<T>, String>` (how builders hold arguments) -> `T`, marking optional ones with `?`.
fn argument_type(ty: &Type) -> String {
    let shown = show(ty);
    let inner = shown
        .strip_prefix("Result<")
        .and_then(|s| s.strip_suffix(", String>"))
        .unwrap_or(&shown)
        .to_string();
    match inner
        .strip_prefix("Option<")
        .and_then(|s| s.strip_suffix('>'))
    {
        Some(optional) => format!("{optional}?"),
        None => inner,
    }
}

fn builder_lines(module: &ItemMod) -> Vec<String> {
    let Some((_, items)) = &module.content else {
        return vec![];
    };
    let mut lines = Vec::new();
    for item in items {
        let Item::Struct(builder) = item else {
            continue;
        };
        let params: Vec<String> = match &builder.fields {
            Fields::Named(named) => named
                .named
                .iter()
                .filter(|f| f.ident.as_ref().is_some_and(|i| i != "client"))
                .map(|f| format!("{}: {}", f.ident.as_ref().unwrap(), argument_type(&f.ty)))
                .collect(),
            _ => vec![],
        };
        // `send` carries the HTTP method and path in its doc, and the result types in its signature.
        let send = items.iter().find_map(|item| match item {
            Item::Impl(imp) if show(&imp.self_ty).starts_with(&format!("{}<", builder.ident)) => {
                imp.items.iter().find_map(|i| match i {
                    syn::ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
                    _ => None,
                })
            }
            _ => None,
        });
        let Some(send) = send else { continue };
        let route = doc_text(&send.attrs)
            .replace("Sends a ", "")
            .replace(" request to ", " ")
            .replace('`', "");
        let result = match &send.sig.output {
            syn::ReturnType::Type(_, ty) => show(ty),
            syn::ReturnType::Default => "()".into(),
        };
        let result = result
            .strip_prefix("Result<")
            .and_then(|r| r.strip_suffix('>'))
            .unwrap_or(&result)
            .to_string();
        let result = result
            .replace("ResponseValue<", "")
            .replacen(">, Error<", " | error ", 1);
        let result = result.strip_suffix('>').unwrap_or(&result).to_string();
        let method = crate::syntax::snake(&builder.ident.to_string());
        lines.push(format!(
            "{method}: {} ({}) -> {result}",
            route.trim(),
            params.join(", ")
        ));
    }
    lines.sort();
    lines
}

fn type_lines(module: &ItemMod) -> Vec<String> {
    let Some((_, items)) = &module.content else {
        return vec![];
    };
    let mut lines = Vec::new();
    for item in items {
        match item {
            Item::Struct(s) => {
                let fields = match &s.fields {
                    Fields::Named(named) => named
                        .named
                        .iter()
                        .map(|f| {
                            let serde_name = rename_of(&f.attrs)
                                .map(|n| format!(" \"{n}\""))
                                .unwrap_or_default();
                            format!("{}{serde_name}: {}", f.ident.as_ref().unwrap(), show(&f.ty))
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    Fields::Unnamed(unnamed) => unnamed
                        .unnamed
                        .iter()
                        .map(|f| show(&f.ty))
                        .collect::<Vec<_>>()
                        .join(", "),
                    Fields::Unit => String::new(),
                };
                match &s.fields {
                    Fields::Unnamed(_) => lines.push(format!("struct {}({fields})", s.ident)),
                    _ => lines.push(format!("struct {} {{ {fields} }}", s.ident)),
                }
            }
            Item::Enum(e) => {
                let variants = e
                    .variants
                    .iter()
                    .map(|v| match &v.fields {
                        Fields::Unit => rename_of(&v.attrs)
                            .map(|n| format!("{} \"{n}\"", v.ident))
                            .unwrap_or(v.ident.to_string()),
                        Fields::Unnamed(u) => format!(
                            "{}({})",
                            v.ident,
                            u.unnamed
                                .iter()
                                .map(|f| show(&f.ty))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        Fields::Named(n) => format!(
                            "{} {{ {} }}",
                            v.ident,
                            n.named
                                .iter()
                                .map(|f| format!("{}: {}", f.ident.as_ref().unwrap(), show(&f.ty)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    })
                    .collect::<Vec<_>>()
                    .join(" | ");
                lines.push(format!("enum {} = {variants}", e.ident));
            }
            Item::Type(t) => lines.push(format!("type {} = {}", t.ident, show(&t.ty))),
            _ => {}
        }
    }
    lines
}

/// Open enums are macro invocations: `pub enum Name { Variant => "value", ... }` inside.
fn open_enum_lines(module: &ItemMod) -> Vec<String> {
    let Some((_, items)) = &module.content else {
        return vec![];
    };
    items
        .iter()
        .filter_map(|item| match item {
            Item::Macro(m) => {
                let tokens = m.mac.tokens.to_string();
                let name = tokens
                    .split("pub enum ")
                    .nth(1)?
                    .split_whitespace()
                    .next()?
                    .to_string();
                let body = tokens.split_once('{')?.1.rsplit_once('}')?.0;
                let values: Vec<String> = body
                    .split(',')
                    .filter_map(|v| v.split("=>").nth(1).map(|s| s.trim().to_string()))
                    .collect();
                Some(format!(
                    "open enum {name} = {} | Other(String)",
                    values.join(" | ")
                ))
            }
            _ => None,
        })
        .collect()
}

fn rename_of(attrs: &[syn::Attribute]) -> Option<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .find_map(|a| {
            let text = a.meta.to_token_stream().to_string();
            let start = text.find("rename = \"")? + "rename = \"".len();
            Some(text[start..].split('"').next()?.to_string())
        })
}
