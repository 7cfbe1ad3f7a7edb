//! Page walking from the spec: every operation that declares `x-pagination` gets, in the generated code,
//! the glue that makes its builder walkable by the one walker, `sdk_core::pages`:
//!
//! - `impl sdk_core::pages::ListPage` for its page type (in `mod types`): where the entries, the total and
//!   the `next` links of a page are;
//! - `impl sdk_core::pages::PagedRequest` for its builder (in `mod builder`): how to ask for page N, the
//!   default and largest page size, the integer type of the page-size argument (the builder's own);
//! - a `pages()` method on its builder.
//!
//! The extension, on the operation:
//!
//! ```yaml
//! x-pagination:
//!   style: page               # `page`: a page number and a page size; `offset`: an offset and a limit
//!   page-parameter: page      # style page: the query parameter of the page number
//!   first-page: 1             # style page: the number of the first page (0 or 1)
//!   offset-parameter: offset  # style offset: the query parameter of the first entry's index (from 0)
//!   size-parameter: pageSize  # the query parameter of the page size
//!   entries: /list            # `""`: the body is the array; `/member`: an array member of the body;
//!                             # `numbered`: the body's members named "1", "2", ... (in that order)
//!   total: /totalCount        # optional: the member giving the whole list's length (integer or digits)
//!   next-links: /links        # optional: the member listing hypermedia links (one `rel: next` or none)
//!   default-page-size: 100    # the page size the walker asks for unless told otherwise
//!   max-page-size: 400        # optional: the largest page size the service accepts (default: none)
//! ```
//!
//! When the success body is a `oneOf` of the operation's error body and a page (ResellerClub answers errors
//! with HTTP 200), the page is the other branch, and an error answer ends the walk as
//! `Error::ErrorResponse` with its status, like an error status would.
//!
//! Everything the glue needs is read from the spec and checked against the code progenitor generated (the
//! builder, its `send()`, the page type and its members): anything missing fails `cargo xtask generate`,
//! naming the operation and what was not found.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use serde_json::Value;

use crate::normalize;

#[derive(Clone, Debug, PartialEq)]
enum Style {
    /// Page numbers, the first being `first` (0 or 1).
    Page { first: u64 },
    /// An offset in entries, from 0.
    Offset,
}

#[derive(Clone, Debug, PartialEq)]
enum Entries {
    /// The body is the array.
    Body,
    /// An array member of the body.
    Member(String),
    /// The body's members named by numbers.
    Numbered,
}

/// One operation's `x-pagination`, checked against the spec.
#[derive(Clone, Debug)]
pub struct Paging {
    pub operation_id: String,
    style: Style,
    /// The query parameter of the page number (style page) or the offset (style offset).
    position_parameter: String,
    size_parameter: String,
    entries: Entries,
    total: Option<String>,
    next_links: Option<String>,
    default_page_size: u64,
    max_page_size: Option<u64>,
}

const KEYS: &[&str] = &[
    "x-decisions",
    "style",
    "page-parameter",
    "first-page",
    "offset-parameter",
    "size-parameter",
    "entries",
    "total",
    "next-links",
    "default-page-size",
    "max-page-size",
];

/// Every `x-pagination` of the spec, checked: its keys, and that its parameters are query parameters of the
/// operation.
pub fn read(spec: &Value) -> Result<Vec<Paging>, String> {
    let mut found = Vec::new();
    let Some(paths) = spec["paths"].as_object() else {
        return Ok(found);
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, operation) in item {
            let Some(extension) = operation.get("x-pagination") else {
                continue;
            };
            let id = operation["operationId"].as_str().unwrap_or("?");
            let paging =
                read_one(spec, item.get("parameters"), operation, extension).map_err(|e| {
                    format!(
                        "x-pagination of `{id}` ({} {path}): {e}",
                        method.to_uppercase()
                    )
                })?;
            found.push(paging);
        }
    }
    Ok(found)
}

fn read_one(
    spec: &Value,
    common: Option<&Value>,
    operation: &Value,
    extension: &Value,
) -> Result<Paging, String> {
    let map = extension
        .as_object()
        .ok_or("must be a mapping of the keys documented in xtask/src/paginate.rs")?;
    if let Some(unknown) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown key `{unknown}` (known: {})",
            KEYS.join(", ")
        ));
    }
    let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_string);
    let number = |key: &str| -> Result<Option<u64>, String> {
        match map.get(key) {
            None => Ok(None),
            Some(value) => value
                .as_u64()
                .map(Some)
                .ok_or_else(|| format!("`{key}` must be a non-negative integer")),
        }
    };
    let required = |key: &str| text(key).ok_or_else(|| format!("`{key}` is required"));
    let (style, position_parameter) = match required("style")?.as_str() {
        "page" => {
            let first = number("first-page")?.ok_or("`first-page` (0 or 1) is required")?;
            if first > 1 {
                return Err(format!("`first-page` is {first}: pages count from 0 or 1"));
            }
            if map.contains_key("offset-parameter") {
                return Err("`offset-parameter` is for style `offset`".into());
            }
            (Style::Page { first }, required("page-parameter")?)
        }
        "offset" => {
            if map.contains_key("page-parameter") || map.contains_key("first-page") {
                return Err("`page-parameter` and `first-page` are for style `page`".into());
            }
            (Style::Offset, required("offset-parameter")?)
        }
        other => return Err(format!("`style` is `{other}`: expected `page` or `offset`")),
    };
    let size_parameter = required("size-parameter")?;
    let entries = match required("entries")?.as_str() {
        "" => Entries::Body,
        "numbered" => Entries::Numbered,
        pointer => Entries::Member(member(pointer, "entries")?),
    };
    let total = text("total").map(|p| member(&p, "total")).transpose()?;
    let next_links = text("next-links")
        .map(|p| member(&p, "next-links"))
        .transpose()?;
    let default_page_size =
        number("default-page-size")?.ok_or("`default-page-size` is required")?;
    let max_page_size = number("max-page-size")?;
    if default_page_size == 0 || max_page_size.is_some_and(|max| default_page_size > max) {
        return Err(format!(
            "`default-page-size` {default_page_size} is not between 1 and `max-page-size`"
        ));
    }
    let parameters = query_parameters(spec, common, operation);
    for name in [&position_parameter, &size_parameter] {
        match parameters.iter().find(|(n, _)| n == name) {
            Some((_, schema)) if resolve(spec, schema)["type"] == "integer" => {}
            Some(_) => return Err(format!("query parameter `{name}` is not an integer")),
            None => return Err(format!("the operation has no query parameter `{name}`")),
        }
    }
    Ok(Paging {
        operation_id: operation["operationId"].as_str().unwrap_or("?").to_string(),
        style,
        position_parameter,
        size_parameter,
        entries,
        total,
        next_links,
        default_page_size,
        max_page_size,
    })
}

/// `/name` -> `name`: a member of the body (the walker reads no deeper).
fn member(pointer: &str, key: &str) -> Result<String, String> {
    match pointer.strip_prefix('/') {
        Some(name) if !name.is_empty() && !name.contains('/') => {
            Ok(name.replace("~1", "/").replace("~0", "~"))
        }
        _ => Err(format!(
            "`{key}` is `{pointer}`: expected a JSON pointer to a member of the body (`/name`)"
        )),
    }
}

fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => spec
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or(&Value::Null),
        None => value,
    }
}

/// The query parameters of an operation (its own and its path's): name and schema.
fn query_parameters(
    spec: &Value,
    common: Option<&Value>,
    operation: &Value,
) -> Vec<(String, Value)> {
    [common, operation.get("parameters")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .map(|p| resolve(spec, p))
        .filter(|p| p["in"] == "query")
        .filter_map(|p| Some((p["name"].as_str()?.to_string(), p["schema"].clone())))
        .collect()
}

/// Adds the glue of every paged operation of `spec` to the generated code; returns how many operations.
pub fn add(file: &mut syn::File, spec: &Value) -> Result<usize, String> {
    let pagings = read(spec)?;
    let mut page_impls: Vec<(String, Paging, TokenStream)> = Vec::new();
    let mut builder_impls = Vec::new();
    for paging in &pagings {
        let glue = Glue::find(file, paging)
            .map_err(|e| format!("x-pagination of `{}`: {e}", paging.operation_id))?;
        if let Some((page, tokens)) = glue.list_page {
            // Two operations may answer the same page type (Hostway's black/white lists): one impl, and both
            // must read it the same way.
            match page_impls.iter().find(|(name, ..)| *name == page) {
                Some((_, other, _)) if !same_page_reading(other, paging) => {
                    return Err(format!(
                        "x-pagination of `{}` and `{}` read the same page type `{page}` differently",
                        other.operation_id, paging.operation_id
                    ));
                }
                Some(_) => {}
                None => page_impls.push((page, paging.clone(), tokens)),
            }
        }
        builder_impls.push(glue.request);
    }
    let page_items: Vec<syn::Item> = page_impls
        .into_iter()
        .map(|(page, _, tokens)| {
            syn::parse2(tokens).map_err(|e| format!("the ListPage impl of `{page}`: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let builder_items: Vec<syn::Item> = builder_impls
        .into_iter()
        .flatten()
        .map(|tokens| syn::parse2(tokens).map_err(|e| format!("a PagedRequest impl: {e}")))
        .collect::<Result<_, _>>()?;
    if !page_items.is_empty() {
        module_mut(file, "types")?.extend(page_items);
    }
    if !builder_items.is_empty() {
        module_mut(file, "builder")?.extend(builder_items);
    }
    Ok(pagings.len())
}

fn same_page_reading(a: &Paging, b: &Paging) -> bool {
    a.entries == b.entries && a.total == b.total && a.next_links == b.next_links
}

fn module<'a>(file: &'a syn::File, name: &str) -> Result<&'a [syn::Item], String> {
    crate::syntax::module(file, name)
        .ok_or_else(|| format!("no `mod {name}` in the generated code"))
}

fn module_mut<'a>(file: &'a mut syn::File, name: &str) -> Result<&'a mut Vec<syn::Item>, String> {
    crate::syntax::module_mut(file, name)
        .ok_or_else(|| format!("no `mod {name}` in the generated code"))
}

/// `Name<A, ..>` -> `A` when the type's last path segment is `name`.
fn first_arg<'a>(ty: &'a syn::Type, name: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        syn::GenericArgument::Type(ty) => Some(ty),
        _ => None,
    })
}

/// The second type argument (`HashMap<K, V>` -> `V`, `Result<T, E>` -> `E`).
fn second_arg<'a>(ty: &'a syn::Type, name: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    args.args
        .iter()
        .filter_map(|arg| match arg {
            syn::GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
        .nth(1)
}

fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The code for one paged operation.
struct Glue {
    /// The page type's name (in `mod types`) and its `ListPage` impl; `None` for a bare array.
    list_page: Option<(String, TokenStream)>,
    /// The builder's `PagedRequest` impl and `pages()`.
    request: Vec<TokenStream>,
}

impl Glue {
    fn find(file: &syn::File, paging: &Paging) -> Result<Self, String> {
        let types = module(file, "types")?;
        let builders = module(file, "builder")?;
        let name = normalize::pascal(&paging.operation_id);
        let builder = builders
            .iter()
            .find_map(|item| match item {
                syn::Item::Struct(s) if s.ident == name => Some(s),
                _ => None,
            })
            .ok_or_else(|| format!("no builder `builder::{name}` in the generated code"))?;
        // Checked for an integer like the size; the walker hands it a `u64` the setter converts.
        integer_argument(builder, &paging.position_parameter)?;
        let (size_type, size_max) = integer_argument(builder, &paging.size_parameter)?;
        let position_setter = setter(builder, &paging.position_parameter)?;
        let size_setter = setter(builder, &paging.size_parameter)?;

        // `send(self) -> Result<ResponseValue<R>, Error<E>>`.
        let send = builders
            .iter()
            .filter_map(|item| match item {
                syn::Item::Impl(i) if last_ident(&i.self_ty).as_deref() == Some(&name) => Some(i),
                _ => None,
            })
            .flat_map(|i| &i.items)
            .find_map(|item| match item {
                syn::ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
                _ => None,
            })
            .ok_or_else(|| format!("no `builder::{name}::send` in the generated code"))?;
        let syn::ReturnType::Type(_, output) = &send.sig.output else {
            return Err(format!("`builder::{name}::send` returns nothing"));
        };
        let answer = first_arg(output, "Result")
            .and_then(|ok| first_arg(ok, "ResponseValue"))
            .ok_or_else(|| {
                format!("`builder::{name}::send` does not return `Result<ResponseValue<_>, _>`")
            })?;
        let error = second_arg(output, "Result")
            .and_then(|err| first_arg(err, "Error"))
            .ok_or_else(|| {
                format!("`builder::{name}::send` does not return `Result<_, Error<_>>`")
            })?;

        // The page: the answer, or the non-error branch of an error-or-page union.
        let mut union = None;
        let page_name = match (&paging.entries, first_arg(answer, "Vec")) {
            (Entries::Body, Some(_)) => None,
            (Entries::Body, None) => {
                return Err("`entries` is \"\" but the answer is not an array".into());
            }
            (_, Some(_)) => return Err("the answer is an array: `entries` must be \"\"".into()),
            (_, None) => {
                let answer_name = last_ident(answer).ok_or("the answer is not a named type")?;
                let error_name = last_ident(error);
                match types.iter().find_map(|item| match item {
                    syn::Item::Enum(e) if e.ident == answer_name => Some(e),
                    _ => None,
                }) {
                    Some(choice) => {
                        let branch = |wanted_error: bool| {
                            choice.variants.iter().find(|v| {
                                let ty = v.fields.iter().next().map(|f| last_ident(&f.ty));
                                v.fields.len() == 1 && (ty.flatten() == error_name) == wanted_error
                            })
                        };
                        let (Some(error_branch), Some(page_branch), 2) =
                            (branch(true), branch(false), choice.variants.len())
                        else {
                            return Err(format!(
                                "the answer `{answer_name}` is an enum but not a choice of the error body and a page"
                            ));
                        };
                        let page = page_branch.fields.iter().next().map(|f| last_ident(&f.ty));
                        let page = page
                            .flatten()
                            .ok_or("the page branch is not a named type")?;
                        union = Some((
                            format_ident!("{answer_name}"),
                            error_branch.ident.clone(),
                            page_branch.ident.clone(),
                        ));
                        Some(page)
                    }
                    None => Some(answer_name),
                }
            }
        };

        let list_page = match &page_name {
            None => None,
            Some(page) => Some((page.clone(), list_page(types, page, paging)?)),
        };
        let page_type: TokenStream = match &page_name {
            Some(page) => {
                let page = format_ident!("{page}");
                quote!(types::#page)
            }
            None => answer.to_token_stream(),
        };

        let builder_ident = &builder.ident;
        let default_size = paging.default_page_size;
        let max_size = match paging.max_page_size {
            Some(max) if max > size_max => {
                return Err(format!(
                    "`max-page-size` {max} does not fit the builder's `{size_type}`"
                ));
            }
            Some(max) => max,
            None => size_max,
        };
        if default_size > max_size {
            return Err(format!(
                "`default-page-size` {default_size} does not fit `{size_type}`"
            ));
        }
        let size_type = format_ident!("{size_type}");
        let (default_size, max_size) = (
            proc_macro2::Literal::u64_unsuffixed(default_size),
            proc_macro2::Literal::u64_unsuffixed(max_size),
        );
        let position = match paging.style {
            Style::Page { first: 0 } => quote!(at.index),
            Style::Page { .. } => quote!(at.number),
            Style::Offset => quote!(at.offset),
        };
        let ask = quote!(self.#position_setter(#position).#size_setter(at.size));
        let send_page = match &union {
            None => quote! {
                fn send_page(
                    self,
                    at: sdk_core::pages::PageAt,
                ) -> impl ::std::future::Future<Output = Result<ResponseValue<Self::Page>, Error<Self::Error>>> + Send {
                    #ask.send()
                }
            },
            Some((answer, error_branch, page_branch)) => quote! {
                fn send_page(
                    self,
                    at: sdk_core::pages::PageAt,
                ) -> impl ::std::future::Future<Output = Result<ResponseValue<Self::Page>, Error<Self::Error>>> + Send {
                    async move {
                        // An error body that came with a success status is an error of the walk too.
                        let answer = #ask.send().await?;
                        let status = answer.status();
                        let headers = answer.headers().clone();
                        match answer.into_inner() {
                            types::#answer::#page_branch(page) => Ok(ResponseValue::new(page, status, headers)),
                            types::#answer::#error_branch(error) => {
                                Err(Error::ErrorResponse(ResponseValue::new(error, status, headers)))
                            }
                        }
                    }
                }
            },
        };
        let position_doc = match paging.style {
            Style::Page { first } => format!(
                "`{}` (the page number, from {first})",
                paging.position_parameter
            ),
            Style::Offset => format!(
                "`{}` (the index of the page's first entry, from 0)",
                paging.position_parameter
            ),
        };
        let max_doc = match paging.max_page_size {
            Some(max) => format!("at most {max}, the most the service accepts"),
            None => "the service documents no maximum".to_string(),
        };
        let doc = format!(
            "Every page of this list, one request per page: a [`sdk_core::pages::Pages`] to stream the pages \
             (each with its status and headers) or the entries, or to collect every entry at once; bounded by \
             its caps, and ended by a typed error when the list repeats, shifts or changes its total during the \
             walk.\n\nEach request carries {position_doc} and `{}` (the page size: {default_size} unless set \
             with `page_size`, {max_doc}); a value of either set on this builder is replaced. Declared by the \
             spec's `x-pagination`.",
            paging.size_parameter
        );
        let request = vec![
            quote! {
                impl sdk_core::pages::PagedRequest for #builder_ident<'_> {
                    type Page = #page_type;
                    type Error = #error;
                    type Size = #size_type;
                    const DEFAULT_PAGE_SIZE: u64 = #default_size;
                    const MAX_PAGE_SIZE: u64 = #max_size;
                    #send_page
                }
            },
            quote! {
                impl #builder_ident<'_> {
                    #[doc = #doc]
                    pub fn pages(self) -> sdk_core::pages::Pages<Self> {
                        sdk_core::pages::Pages::new(self)
                    }
                }
            },
        ];
        Ok(Self { list_page, request })
    }
}

/// The builder's setter of a query parameter (progenitor names it after the parameter, in snake case).
fn setter(builder: &syn::ItemStruct, parameter: &str) -> Result<syn::Ident, String> {
    let wanted: String = parameter
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    builder
        .fields
        .iter()
        .filter_map(|f| f.ident.clone())
        .find(|ident| ident.to_string().replace('_', "").to_ascii_lowercase() == wanted)
        .ok_or_else(|| {
            format!(
                "builder `{}` has no argument for `{parameter}`",
                builder.ident
            )
        })
}

/// The integer type the builder takes for a parameter (`NonZeroU64` is given as `u64`), and its maximum.
fn integer_argument(builder: &syn::ItemStruct, parameter: &str) -> Result<(String, u64), String> {
    let ident = setter(builder, parameter)?;
    let field = builder
        .fields
        .iter()
        .find(|f| f.ident.as_ref() == Some(&ident))
        .expect("the setter is a field");
    // `Result<Option<T>, String>` (optional) or `Result<T, String>` (required).
    let inner = first_arg(&field.ty, "Result")
        .map(|t| first_arg(t, "Option").unwrap_or(t))
        .and_then(last_ident)
        .ok_or_else(|| {
            format!(
                "argument `{ident}` of `{}` has an unexpected type",
                builder.ident
            )
        })?;
    let plain = inner
        .strip_prefix("NonZero")
        .map(str::to_ascii_lowercase)
        .unwrap_or(inner.clone());
    let max = match plain.as_str() {
        "u8" => u64::from(u8::MAX),
        "u16" => u64::from(u16::MAX),
        "u32" => u64::from(u32::MAX),
        "u64" => u64::MAX,
        "i8" => i8::MAX as u64,
        "i16" => i16::MAX as u64,
        "i32" => i32::MAX as u64,
        "i64" => i64::MAX as u64,
        _ => {
            return Err(format!(
                "argument `{ident}` of `{}` is a `{inner}`, not an integer",
                builder.ident
            ));
        }
    };
    Ok((plain, max))
}

/// The `ListPage` impl of the page type `page` (a struct of `mod types`).
fn list_page(types: &[syn::Item], page: &str, paging: &Paging) -> Result<TokenStream, String> {
    let page_struct = types
        .iter()
        .find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == page => Some(s),
            _ => None,
        })
        .ok_or_else(|| format!("no struct `types::{page}` (the page) in the generated code"))?;
    let field = |wanted: &str| -> Result<&syn::Field, String> {
        page_struct
            .fields
            .iter()
            .find(|f| {
                let renamed = f.attrs.iter().any(|a| {
                    a.path().is_ident("serde")
                        && a.to_token_stream()
                            .to_string()
                            .contains(&format!("rename = \"{wanted}\""))
                });
                let ident = f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
                renamed || ident == wanted || ident == format!("{wanted}_")
            })
            .ok_or_else(|| format!("the page `types::{page}` has no member `{wanted}`"))
    };
    let (entry, entries, into_entries) = match &paging.entries {
        Entries::Body => unreachable!("a bare array has no ListPage impl of its own"),
        Entries::Member(member) => {
            let f = field(member)?;
            let name = f.ident.clone().expect("named field");
            match (
                first_arg(&f.ty, "Vec"),
                first_arg(&f.ty, "Option").and_then(|t| first_arg(t, "Vec")),
            ) {
                (Some(entry), _) => (
                    entry.clone(),
                    quote!(self.#name.iter().collect()),
                    quote!(self.#name),
                ),
                (None, Some(entry)) => (
                    entry.clone(),
                    quote!(self.#name.iter().flatten().collect()),
                    quote!(self.#name.unwrap_or_default()),
                ),
                _ => return Err(format!("`{member}` of `types::{page}` is not an array")),
            }
        }
        Entries::Numbered => {
            let f = page_struct
                .fields
                .iter()
                .find(|f| {
                    f.attrs.iter().any(|a| {
                        a.path().is_ident("serde")
                            && a.to_token_stream().to_string().contains("flatten")
                    })
                })
                .ok_or_else(|| {
                    format!(
                        "the page `types::{page}` has no numbered members (additionalProperties)"
                    )
                })?;
            let name = f.ident.clone().expect("named field");
            let entry = second_arg(&f.ty, "HashMap").ok_or_else(|| {
                format!("the other members of `types::{page}` are not a map of entries")
            })?;
            (
                entry.clone(),
                quote!(sdk_core::pages::numbered(&self.#name)),
                quote!(sdk_core::pages::into_numbered(self.#name)),
            )
        }
    };
    let total = match &paging.total {
        Some(member) => {
            let name = field(member)?.ident.clone().expect("named field");
            quote! {
                fn total(&self) -> Option<u64> {
                    sdk_core::pages::count(&self.#name)
                }
            }
        }
        None => quote!(),
    };
    let next = match &paging.next_links {
        Some(member) => {
            let f = field(member)?;
            let name = f.ident.clone().expect("named field");
            let read = if first_arg(&f.ty, "Option").is_some() {
                quote!(self.#name.as_deref().and_then(sdk_core::pages::next_link))
            } else {
                quote!(sdk_core::pages::next_link(&self.#name))
            };
            quote! {
                fn has_next(&self) -> Option<bool> {
                    #read
                }
            }
        }
        None => quote!(),
    };
    let page = format_ident!("{page}");
    Ok(quote! {
        impl sdk_core::pages::ListPage for #page {
            type Entry = #entry;
            fn entries(&self) -> ::std::vec::Vec<&Self::Entry> {
                #entries
            }
            fn into_entries(self) -> ::std::vec::Vec<Self::Entry> {
                #into_entries
            }
            #total
            #next
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(extension: Value) -> Value {
        json!({
            "paths": {"/things": {"get": {
                "operationId": "list_things",
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer"}},
                    {"$ref": "#/components/parameters/Size"}
                ],
                "x-pagination": extension
            }}},
            "components": {"parameters": {"Size": {"name": "size", "in": "query", "schema": {"type": "integer"}}}}
        })
    }

    #[test]
    fn reads_a_declaration_and_refuses_a_wrong_one_by_name() {
        let good = json!({"style": "page", "page-parameter": "page", "first-page": 1,
            "size-parameter": "size", "entries": "/list", "total": "/total", "default-page-size": 10});
        let read = read(&spec(good.clone())).unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].entries, Entries::Member("list".into()));
        let cases = [
            (
                "size-parameter",
                json!("pageSize"),
                "no query parameter `pageSize`",
            ),
            ("style", json!("cursor"), "expected `page` or `offset`"),
            ("entries", json!("/a/b"), "expected a JSON pointer"),
            ("first-page", json!(2), "from 0 or 1"),
            (
                "max-page-size",
                json!(5),
                "not between 1 and `max-page-size`",
            ),
            ("page-sise", json!(5), "unknown key `page-sise`"),
        ];
        for (key, value, message) in cases {
            let mut bad = good.clone();
            bad[key] = value;
            let err = super::read(&spec(bad)).unwrap_err();
            assert!(
                err.contains("`list_things` (GET /things)") && err.contains(message),
                "{err}"
            );
        }
    }

    fn generated() -> syn::File {
        syn::parse_quote! {
            pub mod types {
                pub struct Page {
                    pub list: ::std::vec::Vec<::std::string::String>,
                    #[serde(rename = "total", default)]
                    pub total_count: ::std::option::Option<i64>,
                }
            }
            pub mod builder {
                pub struct ListThings<'a> {
                    client: &'a super::Client,
                    page: Result<Option<::std::num::NonZeroU64>, String>,
                    size: Result<Option<i32>, String>,
                }
                impl<'a> ListThings<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Page>, Error<()>> {
                        unimplemented!()
                    }
                }
            }
        }
    }

    #[test]
    fn generates_the_glue_with_the_builders_own_integer_type() {
        let declaration = json!({"style": "page", "page-parameter": "page", "first-page": 1,
            "size-parameter": "size", "entries": "/list", "total": "/total", "default-page-size": 10});
        let mut file = generated();
        assert_eq!(add(&mut file, &spec(declaration)).unwrap(), 1);
        let code = prettyplease::unparse(&file).replace(char::is_whitespace, "");
        for expected in [
            "implsdk_core::pages::ListPageforPage{typeEntry=::std::string::String;",
            "sdk_core::pages::count(&self.total_count)",
            "typeSize=i32;",
            "constMAX_PAGE_SIZE:u64=2147483647;",
            "self.page(at.number).size(at.size).send()",
            "pubfnpages(self)->sdk_core::pages::Pages<Self>",
        ] {
            assert!(code.contains(expected), "{expected} not in {code}");
        }
    }

    #[test]
    fn fails_by_name_when_the_generated_code_lacks_what_the_declaration_needs() {
        let declaration = json!({"style": "page", "page-parameter": "page", "first-page": 1,
            "size-parameter": "size", "entries": "/items", "default-page-size": 10});
        let err = add(&mut generated(), &spec(declaration.clone())).unwrap_err();
        assert!(
            err.contains("`list_things`") && err.contains("has no member `items`"),
            "{err}"
        );
        let mut without_builder: syn::File =
            syn::parse_quote! { pub mod types {} pub mod builder {} };
        let err = add(&mut without_builder, &spec(declaration)).unwrap_err();
        assert!(err.contains("no builder `builder::ListThings`"), "{err}");
    }
}
