//! The `api-version` header progenitor adds to every request, removed (a `syn` pass over the generated code,
//! before printing).
//!
//! progenitor 0.15 sends `api-version: <info.version>` on every request; none of the five providers' documents
//! defines such a header (the specs' `info.version` is ours, not the provider's), so a request carries only
//! what its spec declares. The decision is recorded in ARCHITECTURE.md ("Requests carry what the spec
//! declares"). progenitor has no setting for it, hence this pass.
//!
//! In each operation's `send`, progenitor writes:
//!
//! ```text
//! let mut header_map = ::reqwest::header::HeaderMap::with_capacity(N);
//! header_map.append(HeaderName::from_static("api-version"), HeaderValue::from_static(Client::api_version()));
//! // one `header_map.append(..)` per header parameter
//! ... .headers(header_map) ...
//! ```
//!
//! The pass deletes the `api-version` append; where no other header is appended (an operation without header
//! parameters: every one of these specs), the map itself and its `.headers(header_map)` go too, so no empty
//! map is allocated and merged per request. It fails, by name, when an operation's `send` has no such append
//! (progenitor changed what it emits, and the header could be back without anyone seeing it).

use quote::ToTokens;
use syn::visit_mut::VisitMut;

const PASS: &str = "pass `no_api_version_header`";

/// Removes the `api-version` header from every operation of `file`; returns how many were removed.
pub fn remove_api_version_header(file: &mut syn::File) -> Result<usize, String> {
    let mut pass = Pass::default();
    pass.visit_file_mut(file);
    if let Some(problem) = pass.problems.first() {
        return Err(format!("{PASS}: {problem}"));
    }
    if pass.sends == 0 {
        return Err(format!(
            "{PASS}: found no operation's `send` (an `async fn send` building an `OperationInfo`) in the \
             generated code: progenitor's output changed"
        ));
    }
    Ok(pass.removed)
}

#[derive(Default)]
struct Pass {
    /// Operations' `send` functions seen.
    sends: usize,
    removed: usize,
    problems: Vec<String>,
}

impl VisitMut for Pass {
    fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
        syn::visit_mut::visit_impl_item_fn_mut(self, f);
        if f.sig.ident != "send"
            || !f
                .block
                .to_token_stream()
                .to_string()
                .contains("OperationInfo")
        {
            return;
        }
        self.sends += 1;
        let operation = operation_id(&f.block).unwrap_or_else(|| "?".to_string());
        let mut found = 0;
        let mut other_headers = 0;
        f.block.stmts.retain(|stmt| {
            if let Some(name) = appended_header(stmt) {
                if name.as_deref() == Some("api-version") {
                    found += 1;
                    return false;
                }
                other_headers += 1;
            }
            true
        });
        if found != 1 {
            self.problems.push(format!(
                "operation `{operation}`: expected one `header_map.append(HeaderName::from_static(\"api-version\"), ..)` \
                 in its `send`, found {found}: progenitor's output changed"
            ));
            return;
        }
        self.removed += 1;
        if other_headers > 0 {
            return; // header parameters still go through the map
        }
        let before = f.block.stmts.len();
        f.block.stmts.retain(|stmt| !declares_header_map(stmt));
        let mut merge = DropMerge::default();
        merge.visit_block_mut(&mut f.block);
        if before - f.block.stmts.len() != 1 || merge.dropped != 1 {
            self.problems.push(format!(
                "operation `{operation}`: expected one `let mut header_map = ..` and one `.headers(header_map)`, \
                 found {} and {}: progenitor's output changed",
                before - f.block.stmts.len(),
                merge.dropped
            ));
        }
    }
}

/// `Some(header name)` for `header_map.append(<name>, ..);` (the name when it is `from_static("..")` or a
/// literal).
fn appended_header(stmt: &syn::Stmt) -> Option<Option<String>> {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return None;
    };
    let receiver = call.receiver.to_token_stream().to_string();
    if call.method != "append" || receiver != "header_map" {
        return None;
    }
    let name = call.args.first().and_then(|arg| {
        let text = arg.to_token_stream().to_string();
        let start = text.find('"')? + 1;
        let end = start + text[start..].find('"')?;
        Some(text[start..end].to_string())
    });
    Some(name)
}

fn declares_header_map(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Local(local) = stmt else {
        return false;
    };
    local
        .pat
        .to_token_stream()
        .to_string()
        .ends_with("header_map")
}

/// Replaces `<receiver>.headers(header_map)` by `<receiver>`.
#[derive(Default)]
struct DropMerge {
    dropped: usize,
}

impl VisitMut for DropMerge {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        if let syn::Expr::MethodCall(call) = expr
            && call.method == "headers"
            && call.args.len() == 1
            && call.args[0].to_token_stream().to_string() == "header_map"
        {
            *expr = (*call.receiver).clone();
            self.dropped += 1;
        }
    }
}

/// The `operation_id: ".."` of the `OperationInfo` a `send` builds, for messages.
fn operation_id(block: &syn::Block) -> Option<String> {
    let text = block.to_token_stream().to_string();
    let rest = text.split("operation_id : \"").nth(1)?;
    Some(rest.split('"').next()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(body: proc_macro2::TokenStream) -> syn::File {
        syn::parse_quote! {
            impl<'a> GetThing<'a> {
                pub async fn send(self) -> Result<(), ()> {
                    #body
                }
            }
        }
    }

    #[test]
    fn removes_the_header_the_map_and_its_merge() {
        let mut file = send(quote::quote! {
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            let request = client.client.get(url).header("accept", "x").headers(header_map).build()?;
            let info = OperationInfo { operation_id: "get_thing" };
        });
        assert_eq!(remove_api_version_header(&mut file), Ok(1));
        let code = file.to_token_stream().to_string();
        assert!(!code.contains("api-version"), "{code}");
        assert!(!code.contains("header_map"), "{code}");
        assert!(
            code.contains(". header (\"accept\" , \"x\") . build ()"),
            "{code}"
        );
    }

    #[test]
    fn keeps_the_map_of_header_parameters() {
        let mut file = send(quote::quote! {
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            header_map.append("x-tenant", tenant.to_string().try_into()?);
            let request = client.client.get(url).headers(header_map).build()?;
            let info = OperationInfo { operation_id: "get_thing" };
        });
        assert_eq!(remove_api_version_header(&mut file), Ok(1));
        let code = file.to_token_stream().to_string();
        assert!(!code.contains("api-version"), "{code}");
        assert!(
            code.contains("x-tenant") && code.contains(". headers (header_map)"),
            "{code}"
        );
    }

    #[test]
    fn fails_by_name_when_progenitor_stops_adding_the_header_its_way() {
        let mut file = send(quote::quote! {
            let request = client.client.get(url).header("api-version", "1.0").build()?;
            let info = OperationInfo { operation_id: "get_thing" };
        });
        let error = remove_api_version_header(&mut file).unwrap_err();
        assert!(
            error.starts_with(PASS) && error.contains("`get_thing`") && error.contains("found 0"),
            "{error}"
        );
        let mut empty: syn::File = syn::parse_quote! { fn unrelated() {} };
        let error = remove_api_version_header(&mut empty).unwrap_err();
        assert!(
            error.starts_with(PASS) && error.contains("no operation"),
            "{error}"
        );
    }
}
