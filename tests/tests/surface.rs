//! The public surface of every SDK (every provider of the manifest's list), as `cargo xtask generate` listed
//! it, against the committed snapshot (`tests/snapshots/surface__<provider>.snap`). A spec change shows here
//! as a readable diff; accept it with `cargo insta review` (or `INSTA_UPDATE=always`) once it is what you
//! meant. A new provider without a snapshot fails until its first one is reviewed.

use sdk_tests::surface::surface_of;

#[test]
fn the_surface_of_every_sdk_is_its_snapshot() {
    let providers = sdk_tests::providers();
    assert!(!providers.is_empty());
    for provider in providers {
        let surface = surface_of(&provider);
        assert!(
            surface
                .lines()
                .filter(|l| l.contains(": ") && !l.starts_with('#'))
                .count()
                > 0,
            "{provider}: an empty surface"
        );
        insta::assert_snapshot!(provider.as_str(), surface);
    }
}
