//! `cargo xtask docs [--out DIR] [--browser-check]`: what the API owners read.
//!
//! Into one folder (default `docs-out/`): per provider `<p>/reference.html`, Redocly's self-contained HTML
//! reference (`build-docs --inlineBundle`: it works offline), and `<p>/review.html`, which lists for each
//! section of the provider's document the operation(s) it became and every recorded decision (`x-decisions`)
//! with where it sits in the spec; and an `index.html` linking them all.
//!
//! `--browser-check` (and `cargo xtask browser-check PROVIDER PAGE`) then opens a reference page in headless
//! Chromium (xtask/browser/check-reference.mjs, playwright-core) and checks that every operation of the spec
//! is rendered, not only the page header.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_norway::Value as Yaml;

use crate::diff::{self, SpecChange};
use crate::lint::METHODS;
use crate::schema::escape;
use crate::{npm, providers};

/// Where Debian installs Chromium; `CHROMIUM` overrides it.
const CHROMIUM: &str = "/usr/bin/chromium";
/// The spec whose reference page the browser check opens: the largest one.
const BROWSER_CHECKED: &str = "hostway";

pub fn run(args: &[String]) -> Result<(), String> {
    let root = providers::workspace_root();
    let mut out = root.join("docs-out");
    let mut browser = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--out" => {
                let dir = rest.next().ok_or("`--out` needs a folder")?;
                out = std::env::current_dir()
                    .map_err(|e| e.to_string())?
                    .join(dir);
            }
            "--browser-check" => browser = true,
            other => {
                return Err(format!(
                    "unexpected argument `{other}` (usage: cargo xtask docs [--out DIR] [--browser-check])"
                ));
            }
        }
    }
    let selected = providers::select(&[])?;
    if selected.is_empty() {
        return Err("no spec found under specs/".to_string());
    }
    let redocly = npm::tool("redocly")?;
    let mut entries = Vec::new();
    for provider in &selected {
        let dir = out.join(provider);
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let reference = dir.join("reference.html");
        build_reference(&root, &redocly, provider, &reference)?;
        let spec = Spec::read(provider)?;
        let review = dir.join("review.html");
        let seed = seed_document(&root, &spec);
        let changes = changes_since_release(provider);
        write(
            &review,
            &review_page(
                &spec,
                seed.as_ref()
                    .map(|(name, text)| (name.as_str(), text.as_str())),
                &changes,
            ),
        )?;
        println!(
            "{provider}: {} and {}",
            shown(&root, &reference),
            shown(&root, &review)
        );
        entries.push(spec);
    }
    let index = out.join("index.html");
    write(&index, &index_page(&entries))?;
    println!("index: {} (open it in a browser)", shown(&root, &index));
    if browser {
        let provider = selected
            .iter()
            .copied()
            .find(|p| *p == BROWSER_CHECKED)
            .unwrap_or(selected[0]);
        browser_check(provider, &out.join(provider).join("reference.html"))?;
    }
    Ok(())
}

/// `cargo xtask browser-check PROVIDER PAGE`: checks any page against a spec (e.g. to see it fail).
pub fn browser_check_command(args: &[String]) -> Result<(), String> {
    let [provider, page] = args else {
        return Err("usage: cargo xtask browser-check PROVIDER PAGE.html".to_string());
    };
    let provider = providers::select(std::slice::from_ref(provider))?[0];
    browser_check(
        provider,
        &std::env::current_dir()
            .map_err(|e| e.to_string())?
            .join(page),
    )
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn build_reference(root: &Path, redocly: &Path, provider: &str, page: &Path) -> Result<(), String> {
    let spec = providers::spec_file(provider);
    let output = Command::new(redocly)
        .args(["build-docs", &spec, "--inlineBundle", "--output"])
        .arg(page)
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", redocly.display()))?;
    if output.status.success() && page.exists() {
        Ok(())
    } else {
        Err(format!(
            "redocly build-docs {spec} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

// ---------------------------------------------------------------------------------------------------------
// The spec as the review page sees it: YAML order kept (serde_norway's mappings keep it).

struct Spec {
    provider: &'static str,
    title: String,
    version: String,
    document: String,
    operations: Vec<Operation>,
    decisions: Vec<Decision>,
}

struct Operation {
    method: String,
    path: String,
    id: String,
    summary: String,
    source: String,
    pointer: String,
}

struct Decision {
    pointer: String,
    topic: String,
    decision: String,
    reason: String,
    source: String,
}

impl Spec {
    fn read(provider: &'static str) -> Result<Spec, String> {
        let file = providers::spec_file(provider);
        let text = fs::read_to_string(providers::spec_path(provider))
            .map_err(|e| format!("{file}: cannot read: {e}"))?;
        let yaml: Yaml =
            serde_norway::from_str(&text).map_err(|e| format!("{file}: not valid YAML: {e}"))?;
        Ok(Spec::from_yaml(provider, &yaml))
    }

    fn from_yaml(provider: &'static str, yaml: &Yaml) -> Spec {
        let text = |v: Option<&Yaml>| v.and_then(Yaml::as_str).unwrap_or("").to_string();
        let info = yaml.get("info");
        let mut operations = Vec::new();
        if let Some(paths) = yaml.get("paths").and_then(Yaml::as_mapping) {
            for (path, item) in paths {
                let path = path.as_str().unwrap_or("");
                for (method, operation) in item.as_mapping().into_iter().flatten() {
                    let method = method.as_str().unwrap_or("");
                    if !METHODS.contains(&method) {
                        continue;
                    }
                    operations.push(Operation {
                        method: method.to_string(),
                        path: path.to_string(),
                        id: text(operation.get("operationId")),
                        summary: text(operation.get("summary")),
                        source: text(operation.get("x-doc-source")),
                        pointer: format!("/paths/{}/{method}", escape(path)),
                    });
                }
            }
        }
        let mut decisions = Vec::new();
        collect_decisions(yaml, "", &mut decisions);
        Spec {
            provider,
            title: text(info.and_then(|i| i.get("title"))),
            version: text(info.and_then(|i| i.get("version"))),
            document: text(info.and_then(|i| i.get("x-doc"))),
            operations,
            decisions,
        }
    }

    /// The operation a pointer lies in, if any.
    fn operation_of(&self, pointer: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|op| pointer == op.pointer || pointer.starts_with(&format!("{}/", op.pointer)))
    }
}

fn collect_decisions(node: &Yaml, pointer: &str, out: &mut Vec<Decision>) {
    match node {
        Yaml::Mapping(members) => {
            for (key, value) in members {
                let key = match key.as_str() {
                    Some(k) => k.to_string(),
                    None => serde_norway::to_string(key)
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                };
                let at = format!("{pointer}/{}", escape(&key));
                if key == "x-decisions" {
                    for (i, entry) in value.as_sequence().into_iter().flatten().enumerate() {
                        let field = |name: &str| {
                            entry
                                .get(name)
                                .and_then(Yaml::as_str)
                                .unwrap_or("")
                                .trim()
                                .to_string()
                        };
                        out.push(Decision {
                            pointer: format!("{at}/{i}"),
                            topic: field("topic"),
                            decision: field("decision"),
                            reason: field("reason"),
                            source: field("source"),
                        });
                    }
                } else {
                    collect_decisions(value, &at, out);
                }
            }
        }
        Yaml::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_decisions(item, &format!("{pointer}/{i}"), out);
            }
        }
        Yaml::Tagged(tagged) => collect_decisions(&tagged.value, pointer, out),
        _ => {}
    }
}

/// What the "Changes since" section shows: the base (version, short commit) and the spec's changes since
/// (`None`: unchanged), or why they could not be found.
type Changes = Result<(String, Option<Vec<SpecChange>>), String>;

/// The spec's changes since its crate's last release (`cargo xtask diff`'s spec level: Redocly).
fn changes_since_release(provider: &str) -> Changes {
    let release = diff::recorded_release(&format!("sdk-{provider}"))?;
    let commit = diff::resolve(&release.commit)?;
    let base = format!("{} ({})", release.version, &commit[..7]);
    Ok((base, diff::spec_changes(provider, &commit)?))
}

/// The provider's document (`info.x-doc`) from `../shared/seeds`, if it is there.
fn seed_document(root: &Path, spec: &Spec) -> Option<(String, String)> {
    if spec.document.is_empty() {
        return None;
    }
    let path: PathBuf = root
        .parent()?
        .join("shared")
        .join("seeds")
        .join(&spec.document);
    let text = fs::read_to_string(path).ok()?;
    Some((spec.document.clone(), text))
}

// ---------------------------------------------------------------------------------------------------------
// HTML.

/// Escapes text for HTML element content and quoted attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escaped text in which `code` spans (the specs' Markdown backticks) become `<code>`.
fn prose(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // An unpaired backtick: show the text as it is.
        return html(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", html(part))
            } else {
                html(part)
            }
        })
        .collect()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:80em;padding:0 1em;\
line-height:1.4;color:#1a1a1a}table{border-collapse:collapse;width:100%;margin:1em 0}\
th,td{border:1px solid #ccc;padding:.35em .5em;vertical-align:top;text-align:left}th{background:#f0f0f0}\
code{background:#f4f4f4;padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}.method{font-weight:bold;text-transform:uppercase}\
.note{color:#666}.missing{color:#a00}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        html(title)
    )
}

fn operation_cell(op: &Operation) -> String {
    format!(
        "<span class=\"method\">{}</span> <code>{}</code> <code>{}</code><br>{}",
        html(&op.method),
        html(&op.path),
        html(&op.id),
        prose(&op.summary)
    )
}

/// Where a decision sits, for a reader: the operation (if inside one) and the JSON pointer.
fn location(spec: &Spec, decision: &Decision) -> String {
    let place = decision
        .pointer
        .rsplit_once("/x-decisions/")
        .map_or("", |(owner, _)| owner);
    let owner = match spec.operation_of(place) {
        Some(op) => format!(
            "operation <code>{}</code> (<span class=\"method\">{}</span> <code>{}</code>)<br>",
            html(&op.id),
            html(&op.method),
            html(&op.path)
        ),
        None if place.is_empty() => "the whole spec<br>".to_string(),
        None => String::new(),
    };
    format!(
        "{owner}<code>{}</code>",
        html(if place.is_empty() { "/" } else { place })
    )
}

/// The "Changes since <base>" section: each change, breaking or not, its operation and the decisions it
/// touches (linked to the decisions table when they are in the current spec).
fn changes_section(spec: &Spec, changes: &Changes) -> String {
    let (base, changes) = match changes {
        Err(why) => {
            return format!(
                "<h2>Changes since the last release</h2>\n<p class=\"missing\">Not available: {}</p>\n",
                html(why)
            );
        }
        Ok((base, changes)) => (base, changes),
    };
    let mut out = format!("<h2>Changes since {}</h2>\n", html(base));
    let Some(changes) = changes else {
        out.push_str("<p>The spec is the same as in that release.</p>\n");
        return out;
    };
    let breaking = changes.iter().filter(|c| c.breaking()).count();
    out.push_str(&format!(
        "<p class=\"note\">Classified by Redocly's <code>diff</code> (the same list as <code>cargo xtask diff</code>): \
         {breaking} breaking, {} not. A breaking change needs a new minor version of the crate (0.x).</p>\n",
        changes.len() - breaking
    ));
    if changes.is_empty() {
        out.push_str(
            "<p>No change that Redocly rates (wording, examples or extensions only).</p>\n",
        );
        return out;
    }
    out.push_str(
        "<table>\n<tr><th>#</th><th>Impact</th><th>Operation</th><th>Change</th><th>Decisions it touches</th></tr>\n",
    );
    for (i, c) in changes.iter().enumerate() {
        let operation = match &c.operation {
            Some((method, path, id)) => format!(
                "<span class=\"method\">{}</span> <code>{}</code> <code>{}</code>",
                html(method),
                html(path),
                html(id)
            ),
            None => format!("<code>{}</code>", html(&c.pointer)),
        };
        let decisions: Vec<String> = c
            .decisions
            .iter()
            .map(|(owner, topic)| {
                let prefix = format!("{owner}/x-decisions/");
                match spec
                    .decisions
                    .iter()
                    .position(|d| d.pointer.starts_with(&prefix) && d.topic == *topic)
                {
                    Some(n) => format!("<a href=\"#d{}\">{}</a>", n + 1, prose(topic)),
                    None => format!("{} <span class=\"note\">(removed)</span>", prose(topic)),
                }
            })
            .collect();
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{operation}</td><td>{} <span class=\"note\">{} {}</span></td><td>{}</td></tr>\n",
            i + 1,
            if c.breaking() {
                "<strong class=\"missing\">breaking</strong>"
            } else {
                "non-breaking"
            },
            prose(&c.message),
            html(&c.rules.join(", ")),
            html(&c.pointer),
            decisions.join("<br>")
        ));
    }
    out.push_str("</table>\n");
    out
}

fn review_page(spec: &Spec, seed: Option<(&str, &str)>, changes: &Changes) -> String {
    // Sections in the order the document has them (by where each heading first appears); headings not
    // found in the document text come last, in spec order.
    let mut sections: Vec<(String, Option<usize>, Vec<&Operation>)> = Vec::new();
    for op in &spec.operations {
        match sections
            .iter_mut()
            .find(|(source, _, _)| *source == op.source)
        {
            Some((_, _, ops)) => ops.push(op),
            None => {
                let line = seed.and_then(|(_, text)| {
                    if op.source.is_empty() {
                        return None;
                    }
                    text.find(&op.source)
                        .map(|at| text[..at].lines().count().max(1))
                });
                sections.push((op.source.clone(), line, vec![op]));
            }
        }
    }
    sections.sort_by_key(|(_, line, _)| line.unwrap_or(usize::MAX));

    let file = providers::spec_file(spec.provider);
    let mut body = format!(
        "<p><a href=\"../index.html\">All providers</a> · <a href=\"reference.html\">API reference</a></p>\n\
         <h1>{} {}: review</h1>\n\
         <p>From <code>{}</code>. Source document: <code>{}</code>{}. {} operations, {} sections, {} recorded decisions.</p>\n",
        html(&spec.title),
        html(&spec.version),
        html(&file),
        html(&spec.document),
        match seed {
            Some(_) => String::new(),
            None => " <span class=\"missing\">(not found beside the checkout: sections are in spec order)</span>"
                .to_string(),
        },
        spec.operations.len(),
        sections.len(),
        spec.decisions.len()
    );
    body.push_str(&changes_section(spec, changes));
    body.push_str(
        "<h2>Sections of the document and the operations they became</h2>\n\
         <p class=\"note\">A section is the <code>x-doc-source</code> of an operation: the heading of the document \
         it comes from, as printed. Line: where the heading first appears in the document.</p>\n\
         <table>\n<tr><th>#</th><th>Section of the document</th><th>Line</th><th>Operation(s)</th>\
         <th>Decisions on them</th></tr>\n",
    );
    for (i, (source, line, ops)) in sections.iter().enumerate() {
        let line = match line {
            Some(n) => n.to_string(),
            None if seed.is_some() => {
                "<span class=\"missing\">not found in the document</span>".to_string()
            }
            None => String::new(),
        };
        let ops_html: Vec<String> = ops.iter().map(|op| operation_cell(op)).collect();
        let linked: Vec<String> = spec
            .decisions
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                ops.iter().any(|op| {
                    spec.operation_of(&d.pointer)
                        .is_some_and(|o| o.pointer == op.pointer)
                })
            })
            .map(|(n, d)| format!("<a href=\"#d{}\">{}</a>", n + 1, prose(&d.topic)))
            .collect();
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{line}</td><td>{}</td><td>{}</td></tr>\n",
            i + 1,
            if source.is_empty() {
                "<span class=\"missing\">(no x-doc-source)</span>".to_string()
            } else {
                html(source)
            },
            ops_html.join("<hr>"),
            linked.join("<br>")
        ));
    }
    body.push_str("</table>\n");

    body.push_str(
        "<h2>Decisions</h2>\n<p class=\"note\">Every place where the spec departs from the document or fills a gap \
         in it, with the section of the document it concerns (source) and where it is recorded in the spec.</p>\n\
         <table>\n<tr><th>#</th><th>Where in the spec</th><th>Topic</th><th>Decision</th><th>Reason</th>\
         <th>Source</th></tr>\n",
    );
    for (n, d) in spec.decisions.iter().enumerate() {
        body.push_str(&format!(
            "<tr id=\"d{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            n + 1,
            n + 1,
            location(spec, d),
            prose(&d.topic),
            prose(&d.decision),
            prose(&d.reason),
            html(&d.source)
        ));
    }
    body.push_str("</table>\n");
    page(&format!("{}: review", spec.title), &body)
}

fn index_page(specs: &[Spec]) -> String {
    let mut body = String::from(
        "<h1>Email reseller APIs: specs for review</h1>\n\
         <p>Per provider: the API reference rendered from the spec, and the review page (each section of the \
         provider's document and the operations it became, and every recorded decision).</p>\n\
         <table>\n<tr><th>API</th><th>Spec</th><th>Operations</th><th>Decisions</th><th>Pages</th></tr>\n",
    );
    for spec in specs {
        body.push_str(&format!(
            "<tr><td>{} {}</td><td><code>specs/{}.yaml</code></td><td>{}</td><td>{}</td>\
             <td><a href=\"{p}/reference.html\">reference</a> · <a href=\"{p}/review.html\">review</a></td></tr>\n",
            html(&spec.title),
            html(&spec.version),
            html(spec.provider),
            spec.operations.len(),
            spec.decisions.len(),
            p = html(spec.provider)
        ));
    }
    body.push_str("</table>\n");
    page("Email reseller APIs: specs for review", &body)
}

// ---------------------------------------------------------------------------------------------------------
// The browser check.

fn browser_check(provider: &'static str, page: &Path) -> Result<(), String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.to_string());
    if !Path::new(&chromium).exists() {
        return Err(format!(
            "the browser check needs Chromium at {chromium}, which is missing; install it with \
             `apt-get update && apt-get install -y chromium` (or set CHROMIUM)"
        ));
    }
    if !page.exists() {
        return Err(format!(
            "{} does not exist (run `cargo xtask docs` first)",
            page.display()
        ));
    }
    npm::tool("playwright-core")?;
    let spec = Spec::read(provider)?;
    let expected: Vec<serde_json::Value> = spec
        .operations
        .iter()
        .map(|op| {
            serde_json::json!({
                "method": op.method, "path": op.path, "operationId": op.id, "summary": op.summary
            })
        })
        .collect();
    let list =
        std::env::temp_dir().join(format!("xtask-browser-check-{}.json", std::process::id()));
    write(&list, &serde_json::Value::Array(expected).to_string())?;
    let root = providers::workspace_root();
    println!(
        "browser check: {} against specs/{provider}.yaml",
        page.display()
    );
    let status = Command::new("node")
        .arg(
            root.join("xtask")
                .join("browser")
                .join("check-reference.mjs"),
        )
        .arg(page)
        .arg(&list)
        .env("CHROMIUM", &chromium)
        .current_dir(&root)
        .status();
    let _ = fs::remove_file(&list);
    let status = status.map_err(|e| format!("cannot run node: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "browser check failed: {} does not render every operation of specs/{provider}.yaml ({status})",
            page.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: "Things <API>", version: "1.0", x-doc: doc.txt}
x-decisions:
  - {topic: "auth", decision: "a `key` header", reason: "r", source: "(none)"}
paths:
  /b:
    get:
      operationId: get_b
      summary: "Gets <b> & more"
      x-doc-source: "GET /b"
      x-decisions:
        - {topic: "status", decision: "200", reason: "the table says so", source: "GET /b"}
  /a:
    post: {operationId: post_a, summary: "Posts a", x-doc-source: "POST /a"}
    put: {operationId: put_a, summary: "Puts a", x-doc-source: "Unknown heading"}
"#;

    fn spec() -> Spec {
        Spec::from_yaml("mailchannels", &serde_norway::from_str(SPEC).unwrap())
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(prose("a `<b>` c"), "a <code>&lt;b&gt;</code> c");
        assert_eq!(prose("one ` tick <"), "one ` tick &lt;");
    }

    #[test]
    fn spec_order_and_decision_locations_are_kept() {
        let spec = spec();
        let ids: Vec<&str> = spec.operations.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["get_b", "post_a", "put_a"]);
        let pointers: Vec<&str> = spec.decisions.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(pointers, ["/x-decisions/0", "/paths/~1b/get/x-decisions/0"]);
        assert_eq!(
            spec.operation_of("/paths/~1b/get/x-decisions/0")
                .unwrap()
                .id,
            "get_b"
        );
    }

    #[test]
    fn review_orders_sections_by_the_document_and_escapes() {
        let spec = spec();
        let seed = "intro\nPOST /a\n...\nGET /b\n";
        let page = review_page(
            &spec,
            Some(("doc.txt", seed)),
            &Ok(("0.1.0 (abcdef0)".into(), None)),
        );
        assert!(page.contains("Changes since 0.1.0 (abcdef0)"));
        let post = page.find("POST /a").unwrap();
        let get = page.find("GET /b").unwrap();
        let unknown = page.find("Unknown heading").unwrap();
        assert!(post < get && get < unknown, "document order, unknown last");
        assert!(page.contains("not found in the document"));
        assert!(page.contains("Gets &lt;b&gt; &amp; more"));
        assert!(page.contains("Things &lt;API&gt;"));
        assert!(!page.contains("<API>") && !page.contains("<b>"));
        assert!(page.contains("a <code>key</code> header"));
        assert!(page.contains("the whole spec"));
        assert!(page.contains("operation <code>get_b</code>"));
        // The operation's decision is linked from its section.
        assert!(page.contains("<a href=\"#d2\">status</a>"));
    }

    #[test]
    fn changes_show_impact_operation_and_linked_decisions() {
        let spec = spec();
        let change = SpecChange {
            pointer: "/paths/~1b/get/parameters/0".into(),
            impact: "major".into(),
            kind: "removed".into(),
            message: "`q` query parameter was removed".into(),
            rules: vec!["parameter-removed".into()],
            operation: Some(("GET".into(), "/b".into(), "get_b".into())),
            decisions: vec![
                ("/paths/~1b/get".into(), "status".into()),
                ("/paths/~1b/get/parameters/0".into(), "gone".into()),
            ],
        };
        let page = changes_section(&spec, &Ok(("0.1.0 (abcdef0)".into(), Some(vec![change]))));
        assert!(page.contains("1 breaking, 0 not"), "{page}");
        assert!(page.contains("<strong class=\"missing\">breaking</strong>"));
        assert!(page.contains("<code>get_b</code>"));
        assert!(page.contains("<code>q</code> query parameter was removed"));
        assert!(page.contains("<a href=\"#d2\">status</a>"), "{page}");
        assert!(page.contains("gone <span class=\"note\">(removed)</span>"));
        let missing = changes_section(&spec, &Err("revision `abc` is not in this clone".into()));
        assert!(missing.contains("Not available: revision `abc` is not in this clone"));
    }
}
