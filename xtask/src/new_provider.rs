//! A sixth provider is a spec, a small `lib.rs` and one entry in `providers::ALL`: the test below generates
//! a throwaway crate from the minimal spec of `tests/fixtures/sixth/` (through the generator's library
//! function, as `cargo xtask generate` does) into a temporary folder, and compiles a program calling it
//! (`cargo build --offline`, sharing the workspace's target folder so that only the new crate is built).

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;
    use std::process::Command;

    use crate::generate;
    use crate::providers;

    #[test]
    fn a_sixth_provider_is_a_spec_a_small_lib_rs_and_one_list_entry() {
        let root = providers::workspace_root();
        let fixture = root.join("tests/fixtures/sixth");
        let spec: serde_json::Value =
            serde_norway::from_str(&fs::read_to_string(fixture.join("spec.yaml")).unwrap())
                .unwrap();
        let generated =
            generate::generate_spec("sixth", "tests/fixtures/sixth/spec.yaml", spec).unwrap();

        // The manifest the tests would read knows the new operation and its arguments.
        let manifest: serde_json::Value = serde_json::from_str(&generated.manifest).unwrap();
        let op = &manifest["operations"][0];
        assert_eq!(op["id"], "get_widget");
        assert_eq!(op["arguments"][0]["name"], "widget_id");
        assert_eq!(op["arguments"][0]["required"], true);
        assert_eq!(op["arguments"][0]["rust_type"], "::sdk_core::PathSegment");
        assert_eq!(op["arguments"][1]["rust_type"], "bool");
        assert!(!generated.client.contains("api-version"));

        let dir = std::env::temp_dir().join(format!("sdk-sixth-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("src")).unwrap();
        fs::create_dir_all(dir.join("examples")).unwrap();
        let write = |path: &str, text: &str| fs::write(dir.join(path), text).unwrap();
        write("src/generated.rs", &generated.client);
        write("src/mock.rs", &generated.mock);
        write(
            "src/lib.rs",
            &fs::read_to_string(fixture.join("lib.rs")).unwrap(),
        );
        write(
            "examples/call.rs",
            &fs::read_to_string(fixture.join("call.rs")).unwrap(),
        );
        write("Cargo.toml", &cargo_toml(&root));
        // The workspace's lock: the same dependency versions, so the workspace's target folder has them built.
        fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

        let output = Command::new(env!("CARGO"))
            .args(["build", "--offline", "--examples", "--quiet"])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", root.join("target"))
            .output()
            .expect("cargo runs");
        let _ = fs::remove_dir_all(&dir);
        assert!(
            output.status.success(),
            "the sixth provider's crate does not build:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// What a new provider's `Cargo.toml` holds (the five crates' own, with the workspace's inherited fields
    /// written out).
    fn cargo_toml(root: &Path) -> String {
        let core = root.join("sdk-core");
        format!(
            r#"[package]
name = "sdk-sixth"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
sdk-core = {{ path = "{core}" }}
progenitor-client = "0.15"
reqwest = {{ version = "0.13", default-features = false, features = ["json", "stream", "query"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
chrono = {{ version = "0.4", default-features = false, features = ["serde", "std"] }}

[dev-dependencies]
tokio = {{ version = "1", features = ["rt", "macros"] }}
"#,
            core = core.display()
        )
    }
}
