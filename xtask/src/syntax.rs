//! The few shapes of progenitor's output, and of names, that several parts of the xtask read (the compiled
//! examples, the manifest, the page walks, the surface): one reading of each.

/// The items of the top-level `mod name { .. }` of a generated file.
pub fn module<'a>(file: &'a syn::File, name: &str) -> Option<&'a [syn::Item]> {
    file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => {
            m.content.as_ref().map(|(_, items)| items.as_slice())
        }
        _ => None,
    })
}

/// The items of the top-level `mod name { .. }` of a generated file, to add to.
pub fn module_mut<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// The type arguments of a path type's last segment: `Result<A, B>` -> `[A, B]`.
pub fn generic_args(ty: &syn::Type) -> Option<Vec<syn::Type>> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let syn::PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else {
        return None;
    };
    Some(
        args.args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
    )
}

/// The `T` of a builder setter's `where V: std::convert::TryInto<T>` bound.
pub fn try_into_target(sig: &syn::Signature) -> Option<syn::Type> {
    let clause = sig.generics.where_clause.as_ref()?;
    clause.predicates.iter().find_map(|predicate| {
        let syn::WherePredicate::Type(bound) = predicate else {
            return None;
        };
        bound.bounds.iter().find_map(|b| {
            let syn::TypeParamBound::Trait(t) = b else {
                return None;
            };
            let last = t.path.segments.last()?;
            if last.ident != "TryInto" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            args.args.iter().find_map(|a| match a {
                syn::GenericArgument::Type(ty) => Some(ty.clone()),
                _ => None,
            })
        })
    })
}

/// Lower-case letters and digits only: `pageSize`, `page_size` and `page-size` compare equal.
pub fn simple(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// `EmailDomain` -> `email_domain`.
pub fn snake(pascal: &str) -> String {
    let mut out = String::new();
    for (i, c) in pascal.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}
