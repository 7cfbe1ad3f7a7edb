//! The public surface of a generated SDK: one line per operation (method, HTTP method and path, parameters
//! with types, success and error types) and one per type with its fields, as `cargo xtask generate` listed
//! it in the manifest (`tests/manifest/<provider>.json`, `surface`). The snapshot tests
//! (`tests/surface.rs`) compare it with the committed listing, so a spec change shows as a readable diff.

/// The surface listing of `sdk-<provider>`, one line each.
pub fn surface_of(provider: &str) -> String {
    let manifest = crate::manifest(provider);
    let lines = manifest["surface"].as_array().unwrap_or_else(|| {
        panic!("{provider}: the manifest has no surface (run `cargo xtask generate`)")
    });
    let mut out = String::new();
    for line in lines {
        out.push_str(line.as_str().expect("a line"));
        out.push('\n');
    }
    out
}
