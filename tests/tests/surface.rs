//! The public surface of every SDK, read from its generated code, against the committed snapshot
//! (`tests/snapshots/`). A spec change shows here as a readable diff; accept it with `cargo insta review`
//! (or `INSTA_UPDATE=always`) once it is what you meant.

use sdk_tests::surface::surface_of;

macro_rules! surface_test {
    ($($provider:ident),*) => {$(
        #[test]
        fn $provider() {
            let surface = surface_of(stringify!($provider));
            assert!(surface.lines().filter(|l| l.contains(": ") && !l.starts_with('#')).count() > 0);
            insta::assert_snapshot!(stringify!($provider), surface);
        }
    )*};
}

surface_test!(mailchannels, mailup, greenview, resellerclub, hostway);
