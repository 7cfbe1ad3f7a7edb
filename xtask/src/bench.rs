//! `cargo xtask bench [--write] [--no-compile]`: the SDKs measured against the floor, one line per figure.
//!
//! 1. Run time (`cargo bench -p sdk-bench`): per-call overhead, decoding, download memory, each next to the
//!    same work written by hand with reqwest + serde, in one process (see `tests/bench/benches/sdk_vs_hand.rs`).
//! 2. Generation: this xtask's own `generate` for every spec, timed several times (median).
//! 3. Compile cost for a downstream user (debug profile, what users build most): a scratch binary crate that
//!    depends on one SDK, built in scratch target folders under `target/bench-compile/`: clean builds, the
//!    rebuild after a regenerated `generated.rs`, and each TLS backend against none; plus the duplicate
//!    dependency versions of each SDK.
//!
//! `--write` replaces the figures section of BENCHMARKS.md (between its markers) with this run's figures, the
//! machine and the command. `--no-compile` skips part 3 (a quick run; `--write` then refuses).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::providers;

const START_MARKER: &str = "<!-- figures:start (written by `cargo xtask bench --write`) -->";
const END_MARKER: &str = "<!-- figures:end -->";
const GENERATION_RUNS: usize = 5;

/// One printed figure.
struct Figure {
    section: &'static str,
    label: String,
    /// The measured value(s), already formatted.
    value: String,
    ratio: Option<f64>,
    target: String,
    /// `Some(true)` met, `Some(false)` missed, `None`: a figure without a target.
    met: Option<bool>,
    note: String,
}

impl Figure {
    fn line(&self) -> String {
        let ratio = self
            .ratio
            .map(|r| format!("ratio {r:.3}"))
            .unwrap_or_default();
        let status = match self.met {
            Some(true) => "MET",
            Some(false) => "MISSED",
            None => "",
        };
        format!(
            "{:<44} {:<40} {:<12} {:<22} {status}",
            self.label, self.value, ratio, self.target
        )
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let write = args.iter().any(|a| a == "--write");
    let compile = !args.iter().any(|a| a == "--no-compile");
    if let Some(other) = args
        .iter()
        .find(|a| !matches!(a.as_str(), "--write" | "--no-compile" | "--versus-hand"))
    {
        return Err(format!(
            "unknown option `{other}` (expected --write, --no-compile, --versus-hand)"
        ));
    }
    if args.iter().any(|a| a == "--versus-hand") {
        // Only the clean builds of an SDK call against the same call by hand (about 7 minutes on a quiet 2-core machine).
        let mut figures = Vec::new();
        versus_hand_figures(&mut figures)?;
        println!();
        for figure in &figures {
            println!("{}", figure.line());
        }
        return Ok(());
    }
    if write && !compile {
        return Err("`--write` records every figure: drop `--no-compile`".into());
    }
    let started = Instant::now();
    let load_before = load_average();
    let mut figures = Vec::new();

    println!(
        "== run time: cargo bench -p sdk-bench --bench sdk_vs_hand (builds it first, optimised)"
    );
    runtime_figures(&mut figures)?;
    println!("== generation: {GENERATION_RUNS} runs of `xtask generate` (all specs), median");
    figures.push(generation_figure()?);
    if compile {
        println!(
            "== compile cost for a downstream user (debug profile), scratch crates in target/bench-compile/"
        );
        compile_figures(&mut figures)?;
        println!(
            "== compile cost: one call through an SDK against the same call by hand, clean builds"
        );
        versus_hand_figures(&mut figures)?;
    }

    let elapsed = started.elapsed();
    println!();
    for figure in &figures {
        println!("{}", figure.line());
    }
    let missed: Vec<&str> = figures
        .iter()
        .filter(|f| f.met == Some(false))
        .map(|f| f.label.as_str())
        .collect();
    println!(
        "\n{} figures; targets met: {}/{}; whole command: {:.0} s",
        figures.len(),
        figures.iter().filter(|f| f.met == Some(true)).count(),
        figures.iter().filter(|f| f.met.is_some()).count(),
        elapsed.as_secs_f64()
    );
    if !missed.is_empty() {
        println!("missed: {}", missed.join("; "));
    }
    if write {
        let load_after = load_average();
        write_benchmarks(&figures, elapsed, &load_before, &load_after)?;
        println!("wrote BENCHMARKS.md");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// Run time

fn runtime_figures(figures: &mut Vec<Figure>) -> Result<(), String> {
    let output = Command::new(cargo())
        .current_dir(providers::workspace_root())
        .args([
            "bench",
            "--quiet",
            "-p",
            "sdk-bench",
            "--bench",
            "sdk_vs_hand",
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo bench: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("cargo bench -p sdk-bench failed:\n{stdout}"));
    }
    for line in stdout.lines() {
        let Some(record) = line.strip_prefix("figure ") else {
            println!("{line}");
            continue;
        };
        let record: serde_json::Value = serde_json::from_str(record)
            .map_err(|e| format!("unreadable figure line `{line}`: {e}"))?;
        let number = |key: &str| record[key].as_f64().unwrap_or(f64::NAN);
        let text = |key: &str| record[key].as_str().unwrap_or_default().to_string();
        let unit = text("unit");
        let digits = if unit == "µs" { 1 } else { 2 };
        figures.push(Figure {
            section: "run time",
            label: text("label"),
            value: format!(
                "sdk {:.digits$} {unit}  hand {:.digits$} {unit}",
                number("sdk"),
                number("hand")
            ),
            ratio: Some(number("ratio")),
            target: text("target"),
            met: record["met"].as_bool(),
            note: text("note"),
        });
    }
    if figures.is_empty() {
        return Err(format!("cargo bench printed no figure:\n{stdout}"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// Generation

fn generation_figure() -> Result<Figure, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the xtask binary: {e}"))?;
    let mut times = Vec::new();
    // One untimed run first: the specs and the binary are then in the page cache, as in daily use.
    for run in 0..=GENERATION_RUNS {
        let start = Instant::now();
        let output = Command::new(&exe)
            .arg("generate")
            .current_dir(providers::workspace_root())
            .output()
            .map_err(|e| format!("cannot run xtask generate: {e}"))?;
        let elapsed = start.elapsed();
        if !output.status.success() {
            return Err(format!(
                "xtask generate failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        if run > 0 {
            times.push(elapsed);
        }
    }
    times.sort();
    let median = times[times.len() / 2].as_secs_f64();
    Ok(Figure {
        section: "generation",
        label: "generate all five SDKs (xtask built)".into(),
        value: format!(
            "median {median:.2} s (min {:.2}, max {:.2})",
            times[0].as_secs_f64(),
            times[times.len() - 1].as_secs_f64()
        ),
        ratio: Some(median / 1.0),
        target: "< 1 s (ratio to 1 s)".into(),
        met: Some(median < 1.0),
        note: format!(
            "wall time of the debug-built xtask (as `cargo xtask generate` runs it) over {GENERATION_RUNS} runs \
             after one untimed run: read 5 YAML specs, normalise, progenitor, prettyplease, post-process, \
             compare with the files on disk"
        ),
    })
}

// ---------------------------------------------------------------------------------------------------------
// Compile cost

/// How a downstream crate of one SDK is set up: its dependencies and its `main`.
struct Downstream {
    name: String,
    dependencies: String,
    main: String,
}

/// The SDK call a downstream `main` makes (it builds a client and prints it, so the crate is really used):
/// the same for every provider (each SDK's `Credentials::from_env` and `Client::builder`), so a new provider
/// needs no entry here.
fn client_expression(provider: &str) -> String {
    format!(
        "sdk_{provider}::Credentials::from_env().map(|credentials| sdk_{provider}::Client::builder(credentials).build())"
    )
}

#[derive(Clone, Copy, PartialEq)]
enum Tls {
    /// The crates' default feature: rustls with aws-lc-rs.
    Default,
    None,
    Native,
    /// rustls with ring: the crates' `rustls-ring` feature (by hand: `reqwest/rustls-no-provider` +
    /// `rustls/ring`, the provider installed in `main`).
    RustlsRing,
}

fn downstream(provider: &str, tls: Tls) -> Downstream {
    let root = providers::workspace_root();
    let path = root.join(format!("sdk-{provider}"));
    let path = path.display();
    let dependencies = match tls {
        Tls::Default => format!("sdk-{provider} = {{ path = \"{path}\" }}\n"),
        Tls::None => {
            format!("sdk-{provider} = {{ path = \"{path}\", default-features = false }}\n")
        }
        Tls::RustlsRing => format!(
            "sdk-{provider} = {{ path = \"{path}\", default-features = false, features = [\"rustls-ring\"] }}\n"
        ),
        Tls::Native => format!(
            "sdk-{provider} = {{ path = \"{path}\", default-features = false, features = [\"native-tls\"] }}\n"
        ),
    };
    let mut main = String::from("fn main() {\n");
    let _ = writeln!(
        main,
        "    let client = {}.expect(\"client\");\n    println!(\"{{client:?}}\");\n}}",
        client_expression(provider)
    );
    let suffix = match tls {
        Tls::Default => "",
        Tls::None => "-no-tls",
        Tls::Native => "-native-tls",
        Tls::RustlsRing => "-rustls-ring",
    };
    Downstream {
        name: format!("uses-{provider}{suffix}"),
        dependencies,
        main,
    }
}

struct Scratch {
    root: PathBuf,
}

impl Scratch {
    /// Writes the downstream crate (with the workspace's Cargo.lock, so that it builds the same versions).
    fn create(&self, crate_: &Downstream) -> Result<PathBuf, String> {
        let dir = self.root.join(&crate_.name);
        fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
        let manifest = format!(
            "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             # Not part of the SDK workspace.\n[workspace]\n\n[dependencies]\n{}",
            crate_.name, crate_.dependencies
        );
        let write = |path: PathBuf, text: &str| {
            fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
        };
        write(dir.join("Cargo.toml"), &manifest)?;
        write(dir.join("src/main.rs"), &crate_.main)?;
        let lock = fs::read_to_string(providers::workspace_root().join("Cargo.lock"))
            .map_err(|e| format!("Cargo.lock: {e}"))?;
        write(dir.join("Cargo.lock"), &lock)?;
        Ok(dir)
    }

    /// `cargo build` (debug) of a downstream crate into a scratch target folder; the wall time.
    fn build(&self, dir: &Path, target: &str) -> Result<Duration, String> {
        let start = Instant::now();
        let output = Command::new(cargo())
            .args(["build", "--quiet", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", self.root.join(target))
            .output()
            .map_err(|e| format!("cannot run cargo build: {e}"))?;
        let elapsed = start.elapsed();
        if !output.status.success() {
            return Err(format!(
                "cargo build of {} failed:\n{}",
                dir.display(),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        println!(
            "   {:<40} {:>6.1} s",
            dir.file_name().unwrap_or_default().to_string_lossy(),
            elapsed.as_secs_f64()
        );
        Ok(elapsed)
    }

    /// Removes a crate's incremental compilation cache (`<target>/debug/incremental/<crate>-*`).
    fn drop_incremental(&self, target: &str, crate_name: &str) -> Result<(), String> {
        let dir = self.root.join(target).join("debug/incremental");
        let entries = fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name
                .to_string_lossy()
                .strip_prefix(crate_name)
                .is_some_and(|rest| rest.starts_with('-'))
            {
                fs::remove_dir_all(entry.path())
                    .map_err(|e| format!("cannot remove {}: {e}", entry.path().display()))?;
            }
        }
        Ok(())
    }

    fn clean(&self, target: &str) -> Result<(), String> {
        let dir = self.root.join(target);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
        }
        Ok(())
    }
}

fn compile_figures(figures: &mut Vec<Figure>) -> Result<(), String> {
    let scratch = Scratch {
        root: providers::workspace_root().join("target/bench-compile"),
    };
    let seconds = |d: Duration| d.as_secs_f64();
    let figure =
        |label: String, value: String, ratio: Option<f64>, target: &str, note: String| Figure {
            section: "compile cost",
            label,
            value,
            ratio,
            target: target.into(),
            met: None,
            note,
        };

    // One target folder, so that each build after the first adds only what it needs (a clean build of every
    // configuration would take most of an hour on 2 cores): a clean build without TLS, each TLS backend on top
    // of it, then the other SDKs (default features) on top of sdk-mailchannels, then each SDK's rebuild after
    // its generated.rs changes.
    scratch.clean("compile")?;
    let none = scratch.build(
        &scratch.create(&downstream("mailchannels", Tls::None))?,
        "compile",
    )?;
    figures.push(figure(
        "clean build without TLS: sdk-mailchannels".into(),
        format!("{:.1} s", seconds(none)),
        None,
        "the floor",
        "debug, `default-features = false` (plain HTTP only), empty target folder, a binary that builds a client"
            .into(),
    ));
    let mut default_tls = Duration::ZERO;
    for (tls, label, note) in [
        (
            Tls::Default,
            "rustls + aws-lc-rs (default)",
            "the crates' `rustls` feature",
        ),
        (
            Tls::RustlsRing,
            "rustls + ring",
            "the crates' `rustls-ring` feature (`default-features = false`)",
        ),
        (
            Tls::Native,
            "native-tls (OpenSSL)",
            "the crates' `native-tls` feature; links the system OpenSSL",
        ),
    ] {
        let time = scratch.build(
            &scratch.create(&downstream("mailchannels", tls))?,
            "compile",
        )?;
        if tls == Tls::Default {
            default_tls = time;
        }
        figures.push(figure(
            format!("TLS cost: {label}"),
            format!("+{:.1} s over no TLS", seconds(time)),
            Some(seconds(none + time) / seconds(none)),
            "ratio to no-TLS build",
            format!("debug; {note}; built after the no-TLS build in the same target folder"),
        ));
    }
    let clean = none + default_tls;
    figures.push(figure(
        "clean build: sdk-mailchannels + dependencies".into(),
        format!("{:.1} s", seconds(clean)),
        None,
        "as low as possible",
        "debug, default features (rustls + aws-lc-rs): the no-TLS clean build + the default TLS on top".into(),
    ));
    for provider in &providers::ALL[1..] {
        let time = scratch.build(
            &scratch.create(&downstream(provider, Tls::Default))?,
            "compile",
        )?;
        figures.push(figure(
            format!("clean build: sdk-{provider} + dependencies"),
            format!(
                "{:.1} s = {:.1} s shared + {:.1} s own",
                seconds(clean + time),
                seconds(clean),
                seconds(time)
            ),
            Some(seconds(clean + time) / seconds(clean)),
            "ratio to sdk-mailchannels",
            format!(
                "debug, default features; shared = the sdk-mailchannels clean build; own = building sdk-{provider} \
                 (and any dependency only it has) after it"
            ),
        ));
    }
    for provider in providers::ALL {
        let generated = providers::workspace_root().join(providers::generated_file(provider));
        fs::File::options()
            .append(true)
            .open(&generated)
            .and_then(|f| f.set_modified(SystemTime::now()))
            .map_err(|e| format!("cannot touch {}: {e}", generated.display()))?;
        // With its incremental cache, rustc would reuse everything of an unchanged file; a regeneration that
        // changes the code throughout (a new spec version) gets no such help.
        scratch.drop_incremental("compile", &format!("sdk_{provider}"))?;
        let dir = scratch.root.join(downstream(provider, Tls::Default).name);
        let time = scratch.build(&dir, "compile")?;
        figures.push(figure(
            format!("rebuild after regeneration: sdk-{provider}"),
            format!("{:.1} s", seconds(time)),
            None,
            "as low as possible",
            "debug; generated.rs rewritten (time stamp set) and the crate's incremental cache dropped, so the \
             whole crate recompiles; then the downstream binary is relinked"
                .into(),
        ));
    }

    for provider in providers::ALL {
        let output = Command::new(cargo())
            .current_dir(providers::workspace_root())
            .args([
                "tree",
                "--quiet",
                "--duplicates",
                "--edges",
                "normal,build",
                "-p",
            ])
            .arg(format!("sdk-{provider}"))
            .output()
            .map_err(|e| format!("cannot run cargo tree: {e}"))?;
        let text = String::from_utf8_lossy(&output.stdout);
        let duplicates: Vec<&str> = text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with([' ', '│', '├', '└']))
            .collect();
        figures.push(Figure {
            section: "compile cost",
            label: format!("duplicate dependency versions: sdk-{provider}"),
            value: if duplicates.is_empty() {
                "none".into()
            } else {
                duplicates.join(", ")
            },
            ratio: None,
            target: "none".into(),
            met: Some(duplicates.is_empty()),
            note: "`cargo tree --duplicates --edges normal,build -p sdk-<provider>`".into(),
        });
    }
    Ok(())
}

/// A downstream binary that makes one call (MailChannels' `GET /sub_accounts` with its API key) through the
/// SDK, or the same call written by hand with reqwest + serde + tokio, with the same TLS choice.
fn one_call(tls: Tls, by_hand: bool) -> Downstream {
    let root = providers::workspace_root();
    let path = root.join("sdk-mailchannels");
    let path = path.display();
    let tokio = "tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n";
    let (name, dependencies, main) = if by_hand {
        let reqwest_tls = match tls {
            Tls::Default => "\"rustls\"",
            Tls::RustlsRing => "\"rustls-no-provider\"",
            Tls::Native => "\"native-tls\"",
            Tls::None => "",
        };
        let mut dependencies = format!(
            "reqwest = {{ version = \"0.13\", default-features = false, features = [\"json\", {reqwest_tls}] }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\n{tokio}"
        );
        let mut main = String::from(
            "#[derive(serde::Deserialize, Debug)]\nstruct SubAccount {\n    handle: String,\n    enabled: bool,\n}\n\n\
             #[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {\n",
        );
        if tls == Tls::RustlsRing {
            dependencies.push_str(
                "rustls = { version = \"0.23\", default-features = false, features = [\"ring\", \"std\", \"tls12\"] }\n",
            );
            main.push_str(
                "    let _ = rustls::crypto::ring::default_provider().install_default();\n",
            );
        }
        main.push_str(
            "    let accounts: Vec<SubAccount> = reqwest::Client::new()\n\
             \x20       .get(\"https://api.mailchannels.net/inbound/v1/sub_accounts\")\n\
             \x20       .header(\"X-Api-Key\", std::env::var(\"MAILCHANNELS_API_KEY\")?)\n\
             \x20       .send()\n        .await?\n        .error_for_status()?\n        .json()\n        .await?;\n\
             \x20   println!(\"{accounts:?}\");\n    Ok(())\n}\n",
        );
        ("hand", dependencies, main)
    } else {
        let features = match tls {
            Tls::Default => "",
            Tls::RustlsRing => ", default-features = false, features = [\"rustls-ring\"]",
            Tls::Native => ", default-features = false, features = [\"native-tls\"]",
            Tls::None => ", default-features = false",
        };
        (
            "sdk",
            format!("sdk-mailchannels = {{ path = \"{path}\"{features} }}\n{tokio}"),
            "#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {\n\
             \x20   let client = sdk_mailchannels::Client::builder(sdk_mailchannels::Credentials::from_env()?).build()?;\n\
             \x20   let accounts = client.list_sub_accounts().send().await?;\n\
             \x20   println!(\"{:?}\", accounts.into_inner());\n    Ok(())\n}\n"
                .to_string(),
        )
    };
    let suffix = match tls {
        Tls::Default => "rustls-aws-lc",
        Tls::RustlsRing => "rustls-ring",
        Tls::Native => "native-tls",
        Tls::None => "no-tls",
    };
    Downstream {
        name: format!("call-{name}-{suffix}"),
        dependencies,
        main,
    }
}

/// Per TLS choice, a clean debug build (empty target folder each) of the SDK call and of the hand-written
/// call, one after the other in the same run (the same machine load), and their ratio.
fn versus_hand_figures(figures: &mut Vec<Figure>) -> Result<(), String> {
    let scratch = Scratch {
        root: providers::workspace_root().join("target/bench-compile"),
    };
    for (tls, label) in [
        (Tls::Default, "rustls + aws-lc-rs (default)"),
        (Tls::RustlsRing, "rustls + ring (`rustls-ring`)"),
        (Tls::Native, "native-tls (`native-tls`)"),
    ] {
        let mut times = Vec::new();
        for by_hand in [false, true] {
            let target = format!("versus-hand-{}", if by_hand { "hand" } else { "sdk" });
            scratch.clean(&target)?;
            times.push(scratch.build(&scratch.create(&one_call(tls, by_hand))?, &target)?);
            scratch.clean(&target)?;
        }
        let (sdk, hand) = (times[0].as_secs_f64(), times[1].as_secs_f64());
        figures.push(Figure {
            section: "compile cost",
            label: format!("one call, SDK vs by hand: {label}"),
            value: format!("{sdk:.1} s vs {hand:.1} s"),
            ratio: Some(sdk / hand),
            target: "as low as possible".into(),
            met: None,
            note: "debug, clean (empty target folder each); `list_sub_accounts().send()` through sdk-mailchannels \
                   against the same GET with reqwest + serde + tokio, same TLS choice, built one after the other"
                .into(),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// BENCHMARKS.md

fn write_benchmarks(
    figures: &[Figure],
    elapsed: Duration,
    load_before: &str,
    load_after: &str,
) -> Result<(), String> {
    let path = providers::workspace_root().join("BENCHMARKS.md");
    let current = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (Some(start), Some(end)) = (current.find(START_MARKER), current.find(END_MARKER)) else {
        return Err(format!(
            "BENCHMARKS.md lacks the markers `{START_MARKER}` / `{END_MARKER}`"
        ));
    };
    let mut section = String::new();
    let _ = writeln!(section, "{START_MARKER}\n");
    let _ = writeln!(
        section,
        "Command: `cargo xtask bench --write` ({:.0} s in all, builds included), {}.\n",
        elapsed.as_secs_f64(),
        utc_now()
    );
    let _ = writeln!(
        section,
        "Machine: {}, {} cores, {} RAM; {}; load average (1, 5, 15 min) {load_before} before, {load_after} after.\n",
        cpu_model(),
        std::thread::available_parallelism().map_or(0, usize::from),
        memory_total(),
        command_line("rustc", &["-V"]),
    );
    let mut current_section = "";
    for figure in figures {
        if figure.section != current_section {
            current_section = figure.section;
            let _ = writeln!(
                section,
                "\n### {}\n\n| figure | value | ratio | target | status | what it includes |\n| --- | --- | --- | --- | --- | --- |",
                current_section
            );
        }
        let _ = writeln!(
            section,
            "| {} | {} | {} | {} | {} | {} |",
            figure.label,
            figure.value,
            figure.ratio.map(|r| format!("{r:.3}")).unwrap_or_default(),
            figure.target,
            match figure.met {
                Some(true) => "met",
                Some(false) => "**missed**",
                None => "",
            },
            figure.note.replace('|', "\\|"),
        );
    }
    section.push('\n');
    let updated = format!("{}{section}{}", &current[..start], &current[end..]);
    fs::write(&path, updated).map_err(|e| format!("{}: {e}", path.display()))
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| format!("{program} unavailable"))
}

fn utc_now() -> String {
    command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
}

fn proc_field(file: &str, field: &str) -> Option<String> {
    fs::read_to_string(file).ok()?.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        (name.trim() == field).then(|| value.trim().to_string())
    })
}

fn cpu_model() -> String {
    proc_field("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown CPU".into())
}

fn memory_total() -> String {
    proc_field("/proc/meminfo", "MemTotal")
        .and_then(|v| v.trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kib| format!("{:.0} GiB", kib / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into())
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
