//! `cargo xtask diff [--base REV] [--check] [--write-changelog] [CRATE...]`: what changed since the last
//! release of each crate, classified by two independent tools, and the version bump it needs.
//!
//! - The base of a crate is its last release: `last-version` under `[package.metadata.release]` in its
//!   `Cargo.toml`, and the commit that last changed that line (nothing is tagged; the line is in every clone
//!   and moves with the history). `--base REV` compares every crate with REV instead (its version then read
//!   from the crate's `Cargo.toml` at REV).
//! - A crate whose folder (and, for an SDK, spec) has not changed since its base is reported unchanged, with
//!   no tool run: on a checkout with no change the command takes a second.
//! - Spec level: the pinned Redocly CLI's `diff --format json` (package-lock.json) between the spec at the
//!   base and the spec in the work tree; a `major` impact is breaking.
//! - Crate level: `cargo semver-checks check-release` (pinned, installed by `.ci/run`) of the crate in the
//!   work tree against the same crate in a temporary `git worktree` of the base commit (committed generated
//!   code: nothing to generate there); any failed check is breaking.
//! - The bump: 0.x rules (Cargo's): a breaking change needs `0.(x+1).0` (or `(x+1).0.0` from 1.0 on); a
//!   non-breaking change is published as the next patch release. `--check` exits 1 when a breaking change
//!   is not matched by the `version` in `Cargo.toml`, naming each change.
//!
//! The report is markdown on stdout, with a draft `CHANGELOG.md` entry (Keep a Changelog) per changed
//! crate; `--write-changelog` puts each draft under the crate's `## [Unreleased]` heading.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::{npm, providers};

/// The cargo-semver-checks release `.ci/run` installs; the report names it.
pub const SEMVER_CHECKS_VERSION: &str = "0.51.0";

/// A published crate of the workspace: `sdk-core` and one per provider.
#[derive(Clone, Copy)]
pub struct Crate {
    pub name: &'static str,
    /// The provider whose spec it is generated from (`None`: `sdk-core`).
    pub provider: Option<&'static str>,
}

/// Every published crate, in dependency order: `sdk-core`, then one per provider (`providers::ALL`).
pub fn crates() -> Vec<Crate> {
    let mut all = vec![Crate {
        name: "sdk-core",
        provider: None,
    }];
    all.extend(providers::ALL.iter().map(|provider| Crate {
        // A command-line run names a handful of crates once: leaking their names is the simple way to keep
        // `Crate` a `Copy` of `&'static str`s.
        name: Box::leak(format!("sdk-{provider}").into_boxed_str()),
        provider: Some(*provider),
    }));
    all
}

/// What a crate is compared with.
#[derive(Clone, Debug, PartialEq)]
pub struct Release {
    pub version: String,
    pub commit: String,
}

/// The key of a crate's last released version, under `[package.metadata.release]` of its `Cargo.toml`.
pub const RECORD_KEY: &str = "last-version";

/// The last release of a crate: the version recorded in its `Cargo.toml`, and the commit that last changed
/// that record (nothing is tagged; a record that moves with the history survives squashes and rebases).
pub fn recorded_release(crate_name: &str) -> Result<Release, String> {
    let file = format!("{crate_name}/Cargo.toml");
    let text = fs::read_to_string(providers::workspace_root().join(&file))
        .map_err(|e| format!("cannot read {file}: {e}"))?;
    let version = manifest_value(&text, "package.metadata.release", RECORD_KEY).ok_or_else(|| {
        format!("{file} has no `{RECORD_KEY}` under [package.metadata.release] (the crate's last release)")
    })?;
    let output = git(&[
        "log",
        "-1",
        "--format=%H",
        &format!("-G^{RECORD_KEY} = "),
        "--",
        &file,
    ])?;
    let commit = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !output.status.success() || commit.is_empty() {
        return Err(format!(
            "no commit of this clone records `{RECORD_KEY}` in {file} (a shallow clone? `git fetch --unshallow`)"
        ));
    }
    Ok(Release { version, commit })
}

/// The version a crate's `Cargo.toml` gives it now (`[package] version`).
pub fn current_version(crate_name: &str) -> Result<String, String> {
    let file = format!("{crate_name}/Cargo.toml");
    let text = fs::read_to_string(providers::workspace_root().join(&file))
        .map_err(|e| format!("cannot read {file}: {e}"))?;
    manifest_value(&text, "package", "version").ok_or_else(|| format!("{file} has no version"))
}

/// A string value of a `key = "value"` line in a `[section]` of a Cargo.toml (enough for the fields this
/// reads; the manifests are ours).
pub fn manifest_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim().to_string();
            continue;
        }
        if current != section {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if k.trim() == key {
            let v = v.trim();
            return v
                .strip_prefix('"')
                .and_then(|v| v.split_once('"'))
                .map(|(value, _)| value.to_string());
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------------------
// Versions and bumps.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(u64, u64, u64);

impl Version {
    pub fn parse(text: &str) -> Result<Version, String> {
        let core = text.split(['-', '+']).next().unwrap_or("");
        let parts: Vec<u64> = core
            .split('.')
            .map(|p| p.parse().map_err(|_| format!("`{text}` is not a version")))
            .collect::<Result<_, _>>()?;
        match parts[..] {
            [a, b, c] => Ok(Version(a, b, c)),
            _ => Err(format!("`{text}` is not a MAJOR.MINOR.PATCH version")),
        }
    }

    /// The first version a breaking change may carry (Cargo's rules: the left-most non-zero part moves).
    pub fn next_breaking(self) -> Version {
        match self {
            Version(0, 0, patch) => Version(0, 0, patch + 1),
            Version(0, minor, _) => Version(0, minor + 1, 0),
            Version(major, _, _) => Version(major + 1, 0, 0),
        }
    }

    pub fn next_patch(self) -> Version {
        Version(self.0, self.1, self.2 + 1)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// What a crate's changes require of its next version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needed {
    Nothing,
    /// Non-breaking changes: the next patch release (e.g. 0.1.0 -> 0.1.1), whenever it is published.
    Patch(Version),
    /// Breaking changes: at least this version (0.x: the next minor, e.g. 0.1.3 -> 0.2.0).
    Breaking(Version),
}

pub fn needed(base: Version, changed: bool, breaking: bool) -> Needed {
    match (changed, breaking) {
        (_, true) => Needed::Breaking(base.next_breaking()),
        (true, false) => Needed::Patch(base.next_patch()),
        (false, false) => Needed::Nothing,
    }
}

/// `Err(why)` when the version in Cargo.toml does not carry the changes.
pub fn version_carries(base: Version, current: Version, needed: Needed) -> Result<(), String> {
    if current < base {
        return Err(format!(
            "Cargo.toml has {current}, older than the last release {base}"
        ));
    }
    match needed {
        Needed::Breaking(at_least) if current < at_least => Err(format!(
            "a breaking change needs version {at_least} or later, Cargo.toml has {current}"
        )),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Spec changes (Redocly).

/// One change Redocly found between two versions of a spec.
#[derive(Clone, Debug)]
pub struct SpecChange {
    /// JSON pointer in the spec (without `#`).
    pub pointer: String,
    /// `major` (breaking), `minor` or `patch`.
    pub impact: String,
    /// `added`, `removed`, `changed`...
    pub kind: String,
    pub message: String,
    /// The rules that rated it (e.g. `parameter-removed`).
    pub rules: Vec<String>,
    /// `(METHOD, path, operationId)` when the change lies in an operation.
    pub operation: Option<(String, String, String)>,
    /// `(owner pointer, topic)` of each `x-decisions` entry recorded on the changed node, inside it, or on
    /// the operation it lies in.
    pub decisions: Vec<(String, String)>,
}

impl SpecChange {
    pub fn breaking(&self) -> bool {
        self.impact == "major"
    }

    fn line(&self) -> String {
        let place = match &self.operation {
            Some((method, path, id)) => format!("`{method} {path}` (`{id}`): "),
            None => format!("`{}`: ", self.pointer),
        };
        let rules = if self.rules.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.rules.join(", "))
        };
        let decisions = if self.decisions.is_empty() {
            String::new()
        } else {
            let shown: Vec<String> = self
                .decisions
                .iter()
                .map(|(owner, topic)| format!("{topic} (`{owner}/x-decisions`)"))
                .collect();
            format!(" Decisions: {}.", shown.join("; "))
        };
        format!("{place}{}{rules}.{decisions}", self.message)
    }
}

/// The spec of `provider` at `commit`, or `None` when it did not exist there.
fn spec_at(commit: &str, provider: &str) -> Result<Option<String>, String> {
    let file = providers::spec_file(provider);
    let output = git(&["show", &format!("{commit}:{file}")])?;
    Ok(output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned()))
}

/// The changes of a provider's spec since `commit` (`None`: the spec is the same).
pub fn spec_changes(provider: &str, commit: &str) -> Result<Option<Vec<SpecChange>>, String> {
    let base_text = spec_at(commit, provider)?.ok_or_else(|| {
        format!(
            "{} does not exist at {commit}",
            providers::spec_file(provider)
        )
    })?;
    let path = providers::spec_path(provider);
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if text == base_text {
        return Ok(None);
    }
    let dir = scratch_dir()?;
    let base_file = dir.join(format!("{provider}-base.yaml"));
    fs::write(&base_file, &base_text)
        .map_err(|e| format!("cannot write {}: {e}", base_file.display()))?;
    let redocly = npm::tool("redocly")?;
    let output = Command::new(&redocly)
        .arg("diff")
        .arg(&base_file)
        .arg(&path)
        .args(["--format", "json", "--fail-on", "none"])
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .current_dir(providers::workspace_root())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", redocly.display()))?;
    let _ = fs::remove_file(&base_file);
    let report: Value = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "redocly diff of {} gave no JSON report ({e}; {}):\n{}",
            providers::spec_file(provider),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    let base: Value = serde_norway::from_str(&base_text).map_err(|e| {
        format!(
            "{} at {commit}: not valid YAML: {e}",
            providers::spec_file(provider)
        )
    })?;
    let revision = providers::read_spec(provider)?;
    Ok(Some(classify(&report, &base, &revision)))
}

/// Turns Redocly's JSON report into changes placed in their operation, with the decisions they touch.
pub fn classify(report: &Value, base: &Value, revision: &Value) -> Vec<SpecChange> {
    let mut out = Vec::new();
    for change in report["changes"].as_array().into_iter().flatten() {
        let pointer = change["path"]
            .as_str()
            .unwrap_or("")
            .trim_start_matches('#')
            .to_string();
        let kind = change["kind"].as_str().unwrap_or("changed").to_string();
        // A removed node is found in the base; anything else in the revision.
        let (spec, node) = if kind == "removed" {
            (base, &change["base"]["value"])
        } else {
            (revision, &change["revision"]["value"])
        };
        let verdicts = change["verdicts"].as_array().cloned().unwrap_or_default();
        let message = verdicts
            .iter()
            .filter_map(|v| v["message"].as_str())
            .map(|m| m.trim_end_matches('.').to_string())
            .collect::<Vec<_>>()
            .join("; ");
        let message = if !message.is_empty() {
            message
        } else if let (Some(name), Some(place)) = (node["name"].as_str(), node["in"].as_str()) {
            format!("`{name}` {place} parameter was {kind}")
        } else {
            format!(
                "{} was {kind}",
                change["typeName"].as_str().unwrap_or("a node")
            )
        };
        out.push(SpecChange {
            impact: change["impact"].as_str().unwrap_or("major").to_string(),
            rules: verdicts
                .iter()
                .filter_map(|v| v["ruleId"].as_str().map(str::to_string))
                .collect(),
            operation: operation_at(spec, &pointer),
            decisions: decisions_touching(spec, &pointer),
            pointer,
            kind,
            message,
        });
    }
    out
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// `(METHOD, path, operationId)` of the operation a pointer lies in.
fn operation_at(spec: &Value, pointer: &str) -> Option<(String, String, String)> {
    let mut tokens = pointer.split('/').skip(1);
    if tokens.next()? != "paths" {
        return None;
    }
    let path = unescape(tokens.next()?);
    let method = tokens.next()?;
    let operation = spec["paths"][&path].get(method)?;
    let id = operation["operationId"].as_str().unwrap_or("?");
    Some((method.to_uppercase(), path, id.to_string()))
}

/// The `x-decisions` recorded on the node at `pointer`, inside it, or on the operation it lies in.
fn decisions_touching(spec: &Value, pointer: &str) -> Vec<(String, String)> {
    let operation: String = pointer.split('/').take(4).collect::<Vec<_>>().join("/");
    let in_operation = pointer.starts_with("/paths/") && operation.split('/').count() == 4;
    let mut found = Vec::new();
    collect_decisions(spec, "", &mut found);
    // The operation's own decisions first, then those deeper in it.
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
        .into_iter()
        .filter(|(owner, _)| {
            let within = |outer: &str, inner: &str| {
                inner == outer || inner.starts_with(&format!("{outer}/"))
            };
            !owner.is_empty()
                && (within(pointer, owner)
                    || within(owner, pointer) && (!in_operation || within(&operation, owner)))
        })
        .collect()
}

fn collect_decisions(node: &Value, pointer: &str, out: &mut Vec<(String, String)>) {
    match node {
        Value::Object(members) => {
            for (key, value) in members {
                if key == "x-decisions" {
                    for entry in value.as_array().into_iter().flatten() {
                        let topic = entry["topic"].as_str().unwrap_or("").trim().to_string();
                        out.push((pointer.to_string(), topic));
                    }
                } else {
                    let escaped = key.replace('~', "~0").replace('/', "~1");
                    collect_decisions(value, &format!("{pointer}/{escaped}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_decisions(item, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------------------
// Public API changes (cargo-semver-checks).

/// cargo-semver-checks' verdict on a crate.
#[derive(Clone, Debug, Default)]
pub struct SurfaceVerdict {
    /// Each failed check: `lint: description`, then where.
    pub breaking: Vec<String>,
    /// Its summary line (e.g. `no semver update required`).
    pub summary: String,
}

/// A worktree of the base commit under `target/`, removed when dropped.
struct BaseTree {
    path: PathBuf,
}

impl BaseTree {
    fn create(commit: &str) -> Result<BaseTree, String> {
        let path = providers::workspace_root()
            .join("target")
            .join("xtask-diff")
            .join(format!("base-{}", &commit[..commit.len().min(12)]));
        if path.exists() {
            // Left by an interrupted run.
            let _ = git(&["worktree", "remove", "--force", &path.to_string_lossy()]);
            let _ = fs::remove_dir_all(&path);
            let _ = git(&["worktree", "prune"]);
        }
        let output = git(&[
            "worktree",
            "add",
            "--detach",
            &path.to_string_lossy(),
            commit,
        ])?;
        if !output.status.success() {
            return Err(format!(
                "git worktree add {commit} failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(BaseTree { path })
    }
}

impl Drop for BaseTree {
    fn drop(&mut self) {
        let _ = git(&[
            "worktree",
            "remove",
            "--force",
            &self.path.to_string_lossy(),
        ]);
    }
}

fn semver_checks_installed() -> Result<(), String> {
    let found = Command::new(cargo())
        .args(["semver-checks", "--version"])
        .output()
        .ok()
        .filter(|o| o.status.success());
    match found {
        Some(_) => Ok(()),
        None => Err(format!(
            "cargo-semver-checks is not installed: `cargo install --locked --version {SEMVER_CHECKS_VERSION} \
             cargo-semver-checks` (.ci/run does it)"
        )),
    }
}

fn semver_check(krate: Crate, base: &Path) -> Result<SurfaceVerdict, String> {
    let root = providers::workspace_root();
    let mut command = Command::new(cargo());
    command
        .args([
            "semver-checks",
            "check-release",
            "--color",
            "never",
            "--package",
            krate.name,
        ])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(base);
    if krate.provider.is_some() {
        // The typed mock helpers are public API too (downstream tests use them).
        command.args(["--features", "mock"]);
    }
    let output = command
        .current_dir(&root)
        .output()
        .map_err(|e| format!("cannot run cargo semver-checks: {e}"))?;
    // Places in the base worktree are named relative to it (it is gone once the command ends).
    let text = semver_checks_text(&output.stdout, &output.stderr)
        .replace(&format!("{}/", base.display()), "");
    let verdict = parse_semver_checks(&text);
    if output.status.success() && verdict.breaking.is_empty() {
        return Ok(verdict);
    }
    if verdict.breaking.is_empty() {
        return Err(format!(
            "cargo semver-checks failed on {} without naming a check ({}):\n{text}",
            krate.name, output.status
        ));
    }
    Ok(verdict)
}

/// cargo-semver-checks' two streams as one text: the failures (stdout), a blank line, then the progress and
/// the summary (stderr). The blank line ends the last failure's places, which stdout does not end itself.
fn semver_checks_text(stdout: &[u8], stderr: &[u8]) -> String {
    format!(
        "{}\n\n{}",
        String::from_utf8_lossy(stdout),
        String::from_utf8_lossy(stderr)
    )
}

/// Reads cargo-semver-checks' text output: `--- failure LINT: DESCRIPTION ---` blocks with their
/// `Failed in:` lines, and the `Summary` line.
pub fn parse_semver_checks(text: &str) -> SurfaceVerdict {
    let mut verdict = SurfaceVerdict::default();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Summary ") {
            verdict.summary = rest.trim().to_string();
        }
        let Some(failure) = line
            .strip_prefix("--- failure ")
            .map(|l| l.trim_end_matches('-').trim())
        else {
            continue;
        };
        let mut places = Vec::new();
        let mut in_places = false;
        while let Some(next) = lines.peek() {
            let next = next.trim();
            if next.starts_with("--- ") || next.starts_with("Summary ") {
                break;
            }
            if next == "Failed in:" {
                in_places = true;
            } else if in_places && next.is_empty() && !places.is_empty() {
                // The list ends at a blank line; what follows is progress output.
                break;
            } else if in_places && !next.is_empty() {
                places.push(next.to_string());
            }
            lines.next();
        }
        let shown: Vec<&str> = places.iter().take(5).map(String::as_str).collect();
        let more = places.len().saturating_sub(shown.len());
        let mut entry = format!("{failure}: {}", shown.join("; "));
        if more > 0 {
            let _ = write!(entry, "; and {more} more");
        }
        verdict.breaking.push(entry);
    }
    verdict
}

// ---------------------------------------------------------------------------------------------------------
// The command.

/// Everything known about one crate's changes.
struct CrateReport {
    krate: Crate,
    base: Release,
    current: Version,
    changed_files: Vec<String>,
    /// `None`: not an SDK, or its spec did not change.
    spec: Option<Vec<SpecChange>>,
    surface: Option<SurfaceVerdict>,
}

impl CrateReport {
    fn breaking(&self) -> bool {
        self.spec.iter().flatten().any(SpecChange::breaking)
            || self
                .surface
                .as_ref()
                .is_some_and(|s| !s.breaking.is_empty())
    }

    fn needed(&self) -> Result<Needed, String> {
        Ok(needed(
            Version::parse(&self.base.version)?,
            !self.changed_files.is_empty(),
            self.breaking(),
        ))
    }

    /// The breaking changes, one per line, naming the tool.
    fn breaking_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .spec
            .iter()
            .flatten()
            .filter(|c| c.breaking())
            .map(|c| format!("{} [Redocly]", c.line()))
            .collect();
        if let Some(surface) = &self.surface {
            lines.extend(
                surface
                    .breaking
                    .iter()
                    .map(|b| format!("{b} [cargo-semver-checks]")),
            );
        }
        lines
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut base_override = None;
    let mut check = false;
    let mut write_changelog = false;
    let mut names = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--base" => {
                base_override = Some(rest.next().ok_or("`--base` needs a revision")?.clone())
            }
            "--check" => check = true,
            "--write-changelog" => write_changelog = true,
            other if other.starts_with('-') => {
                return Err(format!(
                    "unknown option `{other}` (usage: cargo xtask diff [--base REV] [--check] \
                     [--write-changelog] [CRATE...])"
                ));
            }
            name => names.push(name.to_string()),
        }
    }
    let selected = select(&names)?;

    let mut reports = Vec::new();
    for krate in selected {
        let (base, commit) = match &base_override {
            None => {
                let release = recorded_release(krate.name)?;
                let commit = resolve(&release.commit)?;
                (release, commit)
            }
            Some(rev) => {
                let commit = resolve(rev)?;
                let manifest = git(&["show", &format!("{commit}:{}/Cargo.toml", krate.name)])?;
                let version = manifest_value(
                    &String::from_utf8_lossy(&manifest.stdout),
                    "package",
                    "version",
                )
                .ok_or_else(|| format!("{}/Cargo.toml at {rev} has no version", krate.name))?;
                (
                    Release {
                        version,
                        commit: rev.clone(),
                    },
                    commit,
                )
            }
        };
        let current = current_version(krate.name)?;
        let mut paths = vec![format!("{}/", krate.name)];
        if let Some(provider) = krate.provider {
            paths.push(providers::spec_file(provider));
        }
        let changed_files = changed_since(&commit, &paths)?;
        let spec = match krate.provider {
            Some(provider) if !changed_files.is_empty() => spec_changes(provider, &commit)?,
            _ => None,
        };
        reports.push((
            commit,
            CrateReport {
                krate,
                base,
                current: Version::parse(&current)?,
                changed_files,
                spec,
                surface: None,
            },
        ));
    }

    // cargo-semver-checks for each changed crate, one base worktree per base commit.
    let mut commits: Vec<String> = reports
        .iter()
        .filter(|(_, r)| !r.changed_files.is_empty())
        .map(|(c, _)| c.clone())
        .collect();
    commits.sort();
    commits.dedup();
    if !commits.is_empty() {
        semver_checks_installed()?;
    }
    for commit in commits {
        let tree = BaseTree::create(&commit)?;
        for (c, report) in reports.iter_mut() {
            if *c == commit && !report.changed_files.is_empty() {
                eprintln!(
                    "cargo semver-checks: {} against {} ({})",
                    report.krate.name, report.base.version, report.base.commit
                );
                report.surface = Some(semver_check(report.krate, &tree.path)?);
            }
        }
    }

    let reports: Vec<CrateReport> = reports.into_iter().map(|(_, r)| r).collect();
    print!("{}", markdown(&reports)?);

    if write_changelog {
        for report in reports.iter().filter(|r| !r.changed_files.is_empty()) {
            write_changelog_entry(report)?;
        }
    }
    if check {
        let mut problems = Vec::new();
        for report in &reports {
            let base = Version::parse(&report.base.version)?;
            if let Err(why) = version_carries(base, report.current, report.needed()?) {
                let mut problem = format!("{}: {why}:", report.krate.name);
                for line in report.breaking_lines() {
                    let _ = write!(problem, "\n  - breaking: {line}");
                }
                problems.push(problem);
            }
        }
        if !problems.is_empty() {
            return Err(format!(
                "diff --check: {} crate(s) need a larger version bump\n{}",
                problems.len(),
                problems.join("\n")
            ));
        }
        eprintln!("diff --check: every crate's version carries its changes");
    }
    Ok(())
}

fn select(names: &[String]) -> Result<Vec<Crate>, String> {
    let all = crates();
    if names.is_empty() {
        return Ok(all);
    }
    names
        .iter()
        .map(|name| {
            let wanted = name.strip_prefix("sdk-").unwrap_or(name);
            all.iter()
                .copied()
                .find(|c| c.name == format!("sdk-{wanted}"))
                .ok_or_else(|| {
                    format!(
                        "unknown crate `{name}`; valid names: core, {}",
                        providers::ALL.join(", ")
                    )
                })
        })
        .collect()
}

fn markdown(reports: &[CrateReport]) -> Result<String, String> {
    let mut out = String::from("# Changes since the last release\n\n");
    out.push_str(
        "| crate | base | spec (Redocly) | public API (cargo-semver-checks) | needs | Cargo.toml | verdict |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in reports {
        let base = Version::parse(&r.base.version)?;
        let spec = match (&r.spec, r.krate.provider) {
            (_, None) => "(no spec)".to_string(),
            (None, Some(_)) => "unchanged".to_string(),
            (Some(changes), Some(_)) => {
                let breaking = changes.iter().filter(|c| c.breaking()).count();
                format!("{breaking} breaking, {} not", changes.len() - breaking)
            }
        };
        let surface = match &r.surface {
            None if r.changed_files.is_empty() => "unchanged".to_string(),
            None => "not checked".to_string(),
            Some(s) if s.breaking.is_empty() => "no breaking change".to_string(),
            Some(s) => format!("breaking ({} failed checks)", s.breaking.len()),
        };
        let needs = match r.needed()? {
            Needed::Nothing => "nothing".to_string(),
            Needed::Patch(v) => format!("{v} (patch, at release)"),
            Needed::Breaking(v) => format!("{v} (breaking)"),
        };
        let verdict = match version_carries(base, r.current, r.needed()?) {
            Ok(()) => "ok".to_string(),
            Err(why) => format!("**bump needed**: {why}"),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} @ `{}` | {spec} | {surface} | {needs} | {} | {verdict} |",
            r.krate.name,
            r.base.version,
            short(&r.base.commit),
            r.current
        );
    }
    for r in reports.iter().filter(|r| !r.changed_files.is_empty()) {
        let _ = writeln!(out, "\n## `{}`\n", r.krate.name);
        let _ = writeln!(
            out,
            "Changed since {} (`{}`): {}.\n",
            r.base.version,
            short(&r.base.commit),
            r.changed_files
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if let Some(changes) = &r.spec {
            out.push_str("### Spec changes (Redocly `diff`)\n\n");
            if changes.is_empty() {
                out.push_str("None that Redocly rates (wording, examples, extensions).\n");
            }
            for c in changes {
                let _ = writeln!(
                    out,
                    "- {} {}",
                    if c.breaking() {
                        "**breaking**"
                    } else {
                        "non-breaking"
                    },
                    c.line()
                );
            }
            out.push('\n');
        }
        if let Some(surface) = &r.surface {
            let _ = writeln!(
                out,
                "### Public API (cargo-semver-checks {SEMVER_CHECKS_VERSION})\n"
            );
            if surface.breaking.is_empty() {
                out.push_str("No breaking change.\n");
            }
            for b in &surface.breaking {
                let _ = writeln!(out, "- **breaking** {b}");
            }
            if !surface.summary.is_empty() {
                let _ = write!(out, "\nSummary: {}", surface.summary);
            }
            out.push_str("\n\n");
        }
        out.push_str("### Draft CHANGELOG.md entry\n\n```markdown\n");
        out.push_str(&changelog_entry(r)?);
        out.push_str("```\n");
    }
    Ok(out)
}

/// The Keep a Changelog entry for a crate's changes.
fn changelog_entry(r: &CrateReport) -> Result<String, String> {
    let version = match r.needed()? {
        Needed::Breaking(v) => v.max(r.current),
        Needed::Patch(v) => v.max(r.current),
        Needed::Nothing => r.current,
    };
    let (mut added, mut changed, mut removed) = (Vec::new(), Vec::new(), Vec::new());
    for c in r.spec.iter().flatten() {
        let line = format!(
            "{}{}",
            if c.breaking() { "**Breaking:** " } else { "" },
            c.line()
        );
        match c.kind.as_str() {
            "added" => added.push(line),
            "removed" => removed.push(line),
            _ => changed.push(line),
        }
    }
    for b in r.surface.iter().flat_map(|s| &s.breaking) {
        let line = format!("**Breaking** (public API): {b}");
        if b.contains("missing") || b.contains("removed") {
            removed.push(line);
        } else {
            changed.push(line);
        }
    }
    if added.is_empty() && changed.is_empty() && removed.is_empty() {
        changed.push(format!(
            "Code changes with no effect on the public API ({}).",
            r.changed_files.join(", ")
        ));
    }
    let mut out = format!("## [{version}] - unreleased\n");
    for (heading, lines) in [("Added", added), ("Changed", changed), ("Removed", removed)] {
        if !lines.is_empty() {
            let _ = writeln!(out, "\n### {heading}\n");
            for line in lines {
                let _ = writeln!(out, "- {line}");
            }
        }
    }
    Ok(out)
}

/// Puts the drafted entry under the crate's `## [Unreleased]` heading.
fn write_changelog_entry(r: &CrateReport) -> Result<(), String> {
    let path = providers::workspace_root()
        .join(r.krate.name)
        .join("CHANGELOG.md");
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let heading = "## [Unreleased]";
    let at = text
        .find(heading)
        .ok_or_else(|| format!("{} has no `{heading}` heading", path.display()))?;
    let entry = changelog_entry(r)?;
    // Below the heading: the drafted sections (their own version heading is the release's job).
    let body: String = entry.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let insert = at + heading.len();
    let updated = format!("{}\n{}{}", &text[..insert], body, &text[insert..]);
    fs::write(&path, updated).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("wrote the draft into {}", path.display());
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// git.

fn git(args: &[&str]) -> Result<std::process::Output, String> {
    Command::new("git")
        .args(args)
        .current_dir(providers::workspace_root())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))
}

/// The full commit id of a revision, or a clear error (e.g. a shallow clone without it).
pub fn resolve(rev: &str) -> Result<String, String> {
    let output = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(format!(
            "revision `{rev}` is not in this clone (a shallow clone? fetch the history: `git fetch --unshallow`)"
        ))
    }
}

/// The files under `paths` that differ between `commit` and the work tree (committed or not).
fn changed_since(commit: &str, paths: &[String]) -> Result<Vec<String>, String> {
    let mut args = vec!["diff", "--name-only", commit, "--"];
    args.extend(paths.iter().map(String::as_str));
    let output = git(&args)?;
    if !output.status.success() {
        return Err(format!(
            "git diff {commit} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let mut files: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    // The changelog is written between releases; it changes no code.
    files.retain(|f| !f.ends_with("/CHANGELOG.md"));
    // New files not yet added to git count too.
    let mut untracked = vec!["ls-files", "--others", "--exclude-standard", "--"];
    untracked.extend(paths.iter().map(String::as_str));
    let output = git(&untracked)?;
    files.extend(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_string),
    );
    files.retain(|f| !f.ends_with("/CHANGELOG.md"));
    files.sort();
    files.dedup();
    Ok(files)
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(7)]
}

fn scratch_dir() -> Result<PathBuf, String> {
    let dir = providers::workspace_root()
        .join("target")
        .join("xtask-diff");
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_and_bumps_follow_cargo_rules() {
        let v = |s| Version::parse(s).unwrap();
        assert_eq!(v("0.1.3").next_breaking(), v("0.2.0"));
        assert_eq!(v("1.4.2").next_breaking(), v("2.0.0"));
        assert_eq!(v("0.0.4").next_breaking(), v("0.0.5"));
        assert!(Version::parse("1.2").is_err());
        let breaking = needed(v("0.1.0"), true, true);
        assert_eq!(breaking, Needed::Breaking(v("0.2.0")));
        assert!(version_carries(v("0.1.0"), v("0.1.0"), breaking).is_err());
        assert!(version_carries(v("0.1.0"), v("0.1.1"), breaking).is_err());
        assert!(version_carries(v("0.1.0"), v("0.2.0"), breaking).is_ok());
        let additive = needed(v("0.1.0"), true, false);
        assert_eq!(additive, Needed::Patch(v("0.1.1")));
        assert!(version_carries(v("0.1.0"), v("0.1.0"), additive).is_ok());
        assert!(version_carries(v("0.2.0"), v("0.1.0"), Needed::Nothing).is_err());
    }

    #[test]
    fn manifest_values_are_read_from_their_section() {
        let text = "[package]\nname = \"a\"\nversion = \"0.3.1\"\n\n[package.metadata.release]\n\
                    last-version = \"0.3.0\" # published\ncommit = \"abc\"\n[dependencies]\nversion = \"9\"\n";
        assert_eq!(
            manifest_value(text, "package", "version").as_deref(),
            Some("0.3.1")
        );
        assert_eq!(
            manifest_value(text, "package.metadata.release", "last-version").as_deref(),
            Some("0.3.0")
        );
        assert_eq!(
            manifest_value(text, "package.metadata.release", "commit").as_deref(),
            Some("abc")
        );
        assert_eq!(manifest_value(text, "package", "commit"), None);
    }

    #[test]
    fn ci_installs_the_pinned_semver_checks() {
        let run = fs::read_to_string(providers::workspace_root().join(".ci/run")).unwrap();
        assert!(
            run.contains(&format!("SEMVER_CHECKS_VERSION={SEMVER_CHECKS_VERSION}\n")),
            ".ci/run must install cargo-semver-checks {SEMVER_CHECKS_VERSION}"
        );
    }

    #[test]
    fn every_provider_has_its_crate() {
        let sdks: Vec<&str> = crates().iter().filter_map(|c| c.provider).collect();
        assert_eq!(sdks, providers::ALL);
    }

    #[test]
    fn every_crate_records_its_last_release() {
        for krate in crates() {
            let release = recorded_release(krate.name).unwrap();
            Version::parse(&release.version).unwrap();
            assert_eq!(release.commit.len(), 40, "{}: a full commit id", krate.name);
        }
    }

    fn spec() -> Value {
        json!({
            "paths": {"/sub_accounts": {"get": {
                "operationId": "list_sub_accounts",
                "x-decisions": [{"topic": "paging"}],
                "parameters": [{"name": "show_all", "in": "query",
                                "x-decisions": [{"topic": "flag"}]}]
            }}, "/other": {"get": {"operationId": "other", "x-decisions": [{"topic": "elsewhere"}]}}},
            "x-decisions": [{"topic": "whole spec"}]
        })
    }

    #[test]
    fn redocly_changes_are_placed_in_their_operation_with_their_decisions() {
        let report = json!({"changes": [
            {"path": "#/paths/~1sub_accounts/get/parameters/0", "typeName": "Parameter", "kind": "removed",
             "impact": "major",
             "verdicts": [{"ruleId": "parameter-removed", "message": "`show_all` query parameter was removed."}],
             "base": {"value": {"name": "show_all", "in": "query"}}},
            {"path": "#/paths/~1sub_accounts/get/parameters/1", "typeName": "Parameter", "kind": "added",
             "impact": "minor", "verdicts": [], "revision": {"value": {"name": "sort", "in": "query"}}}
        ]});
        let base = spec();
        let mut revision = spec();
        revision["paths"]["/sub_accounts"]["get"]["parameters"] = json!([{}, {"name": "sort"}]);
        let changes = classify(&report, &base, &revision);
        assert_eq!(changes.len(), 2);
        assert!(changes[0].breaking() && !changes[1].breaking());
        assert_eq!(changes[0].message, "`show_all` query parameter was removed");
        assert_eq!(changes[1].message, "`sort` query parameter was added");
        assert!(changes[0].line().starts_with(
            "`GET /sub_accounts` (`list_sub_accounts`): `show_all` query parameter was removed"
        ));
        assert_eq!(changes[0].rules, ["parameter-removed"]);
        // The removed parameter's own decision and its operation's; not the other operation's, nor the
        // whole spec's.
        assert_eq!(changes[0].decisions.len(), 2, "{:?}", changes[0].decisions);
        assert_eq!(changes[0].decisions[0].1, "paging");
        assert_eq!(
            changes[0].decisions[1],
            (
                "/paths/~1sub_accounts/get/parameters/0".to_string(),
                "flag".to_string()
            )
        );
        assert_eq!(changes[1].decisions.len(), 1, "{:?}", changes[1].decisions);
    }

    #[test]
    fn semver_checks_failures_are_read_with_their_places() {
        let text = "     Parsing sdk-x v0.1.0 (current)\n\
            Checking sdk-x v0.1.0 -> v0.1.0 (no change; assume patch)\n\
            --- failure inherent_method_missing: pub method removed or renamed ---\n\n\
            Description:\nA publicly-visible method ...\n\n\
            Failed in:\n  ListSubAccounts::show_all, previously in file src/generated.rs:10\n\
              When::show_all, previously in file src/mock.rs:20\n\n\
            \x20    Building sdk-x v0.1.0 (current)\n\
            Summary semver requires new major version: 1 major and 0 minor checks failed\n";
        let verdict = parse_semver_checks(text);
        assert_eq!(verdict.breaking.len(), 1);
        assert!(
            verdict.breaking[0]
                .starts_with("inherent_method_missing: pub method removed or renamed: ")
        );
        assert!(verdict.breaking[0].ends_with("When::show_all, previously in file src/mock.rs:20"));
        assert!(
            verdict
                .summary
                .starts_with("semver requires new major version")
        );
        assert!(
            parse_semver_checks("Summary no semver update required\n")
                .breaking
                .is_empty()
        );
    }

    #[test]
    fn the_last_failure_s_places_end_where_stdout_ends() {
        // As cargo-semver-checks 0.51 prints: the failure on stdout, its progress on stderr.
        let stdout = "--- failure inherent_method_missing: pub method removed or renamed ---\n\n\
            Failed in:\n  ListSubAccounts::show_all, previously in file src/generated.rs:1563\n\
              ListSubAccountsWhen::show_all, previously in file src/mock.rs:117\n";
        let stderr = "     Building sdk-mailchannels v0.1.0 (current)\n       Built [  76.818s] (current)\n\
                 Parsing sdk-mailchannels v0.1.0 (current)\n\
                 Summary semver requires new major version: 1 major and 0 minor checks failed\n";
        let verdict =
            parse_semver_checks(&semver_checks_text(stdout.as_bytes(), stderr.as_bytes()));
        assert_eq!(
            verdict.breaking,
            [
                "inherent_method_missing: pub method removed or renamed: ListSubAccounts::show_all, previously \
              in file src/generated.rs:1563; ListSubAccountsWhen::show_all, previously in file src/mock.rs:117"
            ]
        );
        assert_eq!(
            verdict.summary,
            "semver requires new major version: 1 major and 0 minor checks failed"
        );
    }
}
