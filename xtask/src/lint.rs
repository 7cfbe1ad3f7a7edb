//! `cargo xtask lint [PROVIDER...]`: the spec review every spec must pass.
//!
//! 1. Our own rules (below), which neither linter knows: every operation has an `operationId`, a summary, a
//!    tag and its source section (`x-doc-source`); every path and query parameter is described; every
//!    example (request, response and parameter; `example` and `examples`) validates against its schema with
//!    OpenAPI 3.0 semantics ([`crate::schema`]), and every refused request example (`x-refused-examples`: a
//!    body the document shows the service refusing for its shape) does not; no two operations share a method and path; every
//!    `x-decisions` entry has a topic, decision, reason and source.
//! 2. Redocly CLI (`xtask/lint/redocly.yaml`: the recommended rules) and Spectral (`xtask/lint/spectral.yaml`:
//!    `spectral:oas`), pinned in package-lock.json, run offline.
//!
//! Every problem, whoever finds it, prints as `specs/<p>.yaml: <JSON pointer>: <rule>: <message>`, and any
//! error or warning makes the command fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::schema::{Validator, escape};
use crate::{npm, providers};

pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One problem found in a spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub pointer: String,
    pub rule: String,
    pub message: String,
}

pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(flag) = args.iter().find(|a| a.starts_with('-')) {
        return Err(format!("unknown option `{flag}` (expected provider names)"));
    }
    let selected = providers::select(args)?;
    if selected.is_empty() {
        return Err("no spec found under specs/".to_string());
    }
    let root = providers::workspace_root();
    let files: Vec<String> = selected.iter().map(|p| providers::spec_file(p)).collect();

    let mut by_file: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    let mut looked_at = BTreeMap::new();
    for (provider, file) in selected.iter().zip(&files) {
        let review = review(&providers::read_spec(provider)?);
        looked_at.insert(file.clone(), (review.operations, review.examples));
        by_file.insert(file.clone(), review.findings);
    }
    for (file, finding) in redocly(&root, &files)?
        .into_iter()
        .chain(spectral(&root, &files)?)
    {
        by_file.entry(file).or_default().push(finding);
    }

    let mut total = 0;
    for (file, findings) in &by_file {
        for f in findings {
            println!(
                "{file}: {}: {}: {}",
                display_pointer(&f.pointer),
                f.rule,
                f.message
            );
        }
        total += findings.len();
        let (operations, examples) = looked_at.get(file).copied().unwrap_or_default();
        if findings.is_empty() {
            println!(
                "{file}: ok ({operations} operations, {examples} examples valid; own rules, Redocly recommended, Spectral spectral:oas)"
            );
        }
    }
    if total == 0 {
        Ok(())
    } else {
        Err(format!("{total} problem(s) in the specs (see above)"))
    }
}

fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

// ---------------------------------------------------------------------------------------------------------
// Our own rules.

/// What our own rules found in one spec, and how much they looked at.
pub struct Review {
    pub findings: Vec<Finding>,
    pub operations: usize,
    /// Distinct example values checked against their schemas.
    pub examples: usize,
}

/// Every finding of our own rules in one spec, sorted and without repeats.
#[cfg(test)]
pub fn own_rules(document: &Value) -> Vec<Finding> {
    review(document).findings
}

/// Runs our own rules (a shared component that several operations use is checked through each of them, and
/// reported once).
pub fn review(document: &Value) -> Review {
    let mut findings = BTreeSet::new();
    let mut examples = BTreeSet::new();
    let mut operations = 0;
    let mut add = |pointer: String, rule: &str, message: String| {
        if rule == EXAMPLE_CHECKED {
            examples.insert(pointer);
            return;
        }
        findings.insert(Finding {
            pointer,
            rule: rule.to_string(),
            message,
        });
    };
    let validator = Validator::new(document);
    decisions(document, "", &mut add);

    let mut routes: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut operation_ids: BTreeMap<String, String> = BTreeMap::new();
    let empty = serde_json::Map::new();
    let paths = document["paths"].as_object().unwrap_or(&empty);
    for (path, item) in paths {
        let item_pointer = format!("/paths/{}", escape(path));
        let shared_parameters = item["parameters"].as_array().cloned().unwrap_or_default();
        for method in METHODS {
            let Some(operation) = item.get(*method) else {
                continue;
            };
            let pointer = format!("{item_pointer}/{method}");
            operations += 1;
            for (key, rule) in [
                ("operationId", "operation-id"),
                ("summary", "operation-summary"),
                ("x-doc-source", "operation-doc-source"),
            ] {
                if !non_empty_string(&operation[key]) {
                    add(
                        pointer.clone(),
                        rule,
                        format!("the operation has no `{key}`"),
                    );
                }
            }
            if operation["tags"].as_array().is_none_or(|t| t.is_empty()) {
                add(
                    pointer.clone(),
                    "operation-tag",
                    "the operation has no `tags` entry".to_string(),
                );
            }
            if let Some(id) = operation["operationId"].as_str() {
                if let Some(first) = operation_ids.get(id) {
                    add(
                        pointer.clone(),
                        "operation-id-unique",
                        format!("operationId `{id}` is also used by {first}"),
                    );
                } else {
                    operation_ids.insert(id.to_string(), pointer.clone());
                }
            }
            let route = (method.to_uppercase(), normalise_template(path));
            if let Some(first) = routes.get(&route) {
                add(
                    pointer.clone(),
                    "route-unique",
                    format!("{} {} is also declared at {first}", route.0, route.1),
                );
            } else {
                routes.insert(route, pointer.clone());
            }

            // Operation parameters override path-item ones with the same name and location.
            let own = operation["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let mut parameters: Vec<(String, Value)> = Vec::new();
            for (i, p) in own.iter().enumerate() {
                parameters.push((format!("{pointer}/parameters/{i}"), p.clone()));
            }
            for (i, p) in shared_parameters.iter().enumerate() {
                parameters.push((format!("{item_pointer}/parameters/{i}"), p.clone()));
            }
            let mut seen = BTreeSet::new();
            for (at, parameter) in parameters {
                let (at, parameter) = follow(document, at, &parameter);
                let key = (
                    parameter["name"].clone().to_string(),
                    parameter["in"].to_string(),
                );
                if !seen.insert(key) {
                    continue;
                }
                let location = parameter["in"].as_str().unwrap_or("");
                let name = parameter["name"].as_str().unwrap_or("?");
                if matches!(location, "path" | "query")
                    && !non_empty_string(&parameter["description"])
                {
                    add(
                        at.clone(),
                        "parameter-description",
                        format!("{location} parameter `{name}` has no description"),
                    );
                }
                if let Some(schema) = parameter.get("schema") {
                    examples_of(
                        document, &validator, &at, parameter, schema, false, &mut add,
                    );
                }
                media_types(document, &validator, &at, &parameter["content"], &mut add);
            }

            if let Some(body) = operation.get("requestBody") {
                let (at, body) = follow(document, format!("{pointer}/requestBody"), body);
                media_types(document, &validator, &at, &body["content"], &mut add);
            }
            for (status, response) in operation["responses"].as_object().unwrap_or(&empty) {
                let at = format!("{pointer}/responses/{}", escape(status));
                let (at, response) = follow(document, at, response);
                media_types(document, &validator, &at, &response["content"], &mut add);
            }
        }
    }
    Review {
        findings: findings.into_iter().collect(),
        operations,
        examples: examples.len(),
    }
}

/// Not a rule: the pseudo-rule under which `examples_of` reports each example value it checked, so the
/// count comes out of the same walk.
const EXAMPLE_CHECKED: &str = "(checked)";

/// Every `x-decisions` list anywhere in the document: a list of entries with the four fields.
fn decisions(node: &Value, pointer: &str, add: &mut impl FnMut(String, &str, String)) {
    match node {
        Value::Object(members) => {
            if let Some(list) = members.get("x-decisions") {
                let at = format!("{pointer}/x-decisions");
                match list.as_array() {
                    None => add(
                        at,
                        "decision-fields",
                        "`x-decisions` must be a list".to_string(),
                    ),
                    Some(entries) => {
                        for (i, entry) in entries.iter().enumerate() {
                            let missing: Vec<&str> = ["topic", "decision", "reason", "source"]
                                .into_iter()
                                .filter(|k| !non_empty_string(&entry[*k]))
                                .collect();
                            if !missing.is_empty() {
                                add(
                                    format!("{at}/{i}"),
                                    "decision-fields",
                                    format!("the decision has no {}", missing.join(", ")),
                                );
                            }
                        }
                    }
                }
            }
            for (key, value) in members {
                if key != "x-decisions" {
                    decisions(value, &format!("{pointer}/{}", escape(key)), add);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                decisions(item, &format!("{pointer}/{i}"), add);
            }
        }
        _ => {}
    }
}

/// The examples of each media type of a `content` map, checked against the media type's schema.
fn media_types(
    document: &Value,
    validator: &Validator,
    pointer: &str,
    content: &Value,
    add: &mut impl FnMut(String, &str, String),
) {
    let Some(content) = content.as_object() else {
        return;
    };
    for (media_type, media) in content {
        let at = format!("{pointer}/content/{}", escape(media_type));
        if media.get("example").is_some() {
            add(
                format!("{at}/example"),
                "example-named",
                "use named `examples` (each with a summary), not a single `example`".to_string(),
            );
        }
        if let (Some(schema), Some(refused)) = (
            media.get("schema"),
            media.get("x-refused-examples").and_then(Value::as_object),
        ) {
            refused_examples(validator, &at, refused, schema, add);
        }
        match media.get("schema") {
            Some(schema) => examples_of(document, validator, &at, media, schema, true, add),
            None if media.get("example").is_some() || media.get("examples").is_some() => add(
                at,
                "example-valid",
                "the media type has examples but no schema to check them against".to_string(),
            ),
            None => {}
        }
    }
}

/// Checks the `example` and each named `examples` entry of a media type or parameter against `schema`.
fn examples_of(
    document: &Value,
    validator: &Validator,
    pointer: &str,
    holder: &Value,
    schema: &Value,
    need_summary: bool,
    add: &mut impl FnMut(String, &str, String),
) {
    let check = |at: String, value: &Value, add: &mut dyn FnMut(String, &str, String)| {
        add(at.clone(), EXAMPLE_CHECKED, String::new());
        for violation in validator.validate(schema, value) {
            add(
                format!("{at}{}", violation.at),
                "example-valid",
                violation.message,
            );
        }
    };
    if let Some(value) = holder.get("example") {
        check(format!("{pointer}/example"), value, &mut *add);
    }
    for (name, example) in holder["examples"].as_object().into_iter().flatten() {
        let (at, example) = follow(
            document,
            format!("{pointer}/examples/{}", escape(name)),
            example,
        );
        if need_summary && !non_empty_string(&example["summary"]) {
            add(
                at.clone(),
                "example-summary",
                format!("example `{name}` has no summary"),
            );
        }
        if let Some(value) = example.get("value") {
            check(format!("{at}/value"), value, &mut *add);
        }
    }
}

/// The request bodies the document shows the service refusing for their shape (`x-refused-examples`): the
/// schema must refuse each one too, so that the SDK refuses it before sending instead of the service after.
fn refused_examples(
    validator: &Validator,
    pointer: &str,
    refused: &serde_json::Map<String, Value>,
    schema: &Value,
    add: &mut impl FnMut(String, &str, String),
) {
    for (name, example) in refused {
        let at = format!("{pointer}/x-refused-examples/{}", escape(name));
        if !non_empty_string(&example["summary"]) {
            add(
                at.clone(),
                "example-summary",
                format!("example `{name}` has no summary"),
            );
        }
        let Some(value) = example.get("value") else {
            continue;
        };
        if validator.validate(schema, value).is_empty() {
            add(
                format!("{at}/value"),
                "refused-example-refused",
                "the schema accepts an example the service refuses: make the schema refuse it, or move it to \
                 `examples`"
                    .to_string(),
            );
        }
    }
}

/// Follows a `$ref` (to the component that holds the content), returning its pointer and value.
fn follow<'v>(document: &'v Value, pointer: String, node: &'v Value) -> (String, &'v Value) {
    let mut current = (pointer, node);
    for _ in 0..8 {
        let Some(reference) = current.1.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match reference
            .strip_prefix('#')
            .and_then(|p| document.pointer(p))
        {
            Some(target) => current = (reference.trim_start_matches('#').to_string(), target),
            None => break,
        }
    }
    current
}

fn non_empty_string(value: &Value) -> bool {
    value.as_str().is_some_and(|s| !s.trim().is_empty())
}

/// `/a/{id}/b/{name}` -> `/a/{}/b/{}`: two templates that differ only in parameter names are one route.
pub fn normalise_template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_parameter = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_parameter = true;
                out.push_str("{}");
            }
            '}' => in_parameter = false,
            _ if in_parameter => {}
            _ => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------------------
// The linters.

fn config(root: &Path, name: &str) -> String {
    root.join("xtask")
        .join("lint")
        .join(name)
        .display()
        .to_string()
}

/// Runs a linter and parses its JSON report (each tool writes its banners and progress on stderr).
fn run_json(root: &Path, tool: &str, args: &[String]) -> Result<Vec<Value>, String> {
    let program = npm::tool(tool)?;
    let output = Command::new(&program)
        .args(args)
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let reports: Result<Vec<Value>, _> = serde_json::Deserializer::from_str(&stdout)
        .into_iter::<Value>()
        .collect();
    match reports {
        Ok(reports) if !reports.is_empty() => Ok(reports),
        _ => Err(format!(
            "{tool} gave no JSON report ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )),
    }
}

/// Redocly's errors and warnings, by spec file.
fn redocly(root: &Path, files: &[String]) -> Result<Vec<(String, Finding)>, String> {
    let mut args = vec![
        "lint".to_string(),
        "--config".to_string(),
        config(root, "redocly.yaml"),
        "--format=json".to_string(),
    ];
    args.extend(files.iter().cloned());
    let mut out = Vec::new();
    for report in run_json(root, "redocly", &args)? {
        for problem in report["problems"].as_array().into_iter().flatten() {
            let severity = problem["severity"].as_str().unwrap_or("");
            if !matches!(severity, "error" | "warn") {
                continue;
            }
            let location = &problem["location"][0];
            let file = location["source"]["ref"]
                .as_str()
                .unwrap_or("?")
                .to_string();
            let pointer = location["pointer"]
                .as_str()
                .unwrap_or("")
                .trim_start_matches('#');
            out.push((
                relative(root, &file),
                Finding {
                    pointer: pointer.to_string(),
                    rule: format!("redocly/{}", problem["ruleId"].as_str().unwrap_or("?")),
                    message: format!(
                        "{} ({severity}, line {})",
                        problem["message"].as_str().unwrap_or(""),
                        location["start"]["line"]
                    ),
                },
            ));
        }
    }
    Ok(out)
}

/// Spectral's errors and warnings, by spec file.
fn spectral(root: &Path, files: &[String]) -> Result<Vec<(String, Finding)>, String> {
    let mut args = vec![
        "lint".to_string(),
        "--ruleset".to_string(),
        config(root, "spectral.yaml"),
        "--format=json".to_string(),
        "--quiet".to_string(),
    ];
    args.extend(files.iter().cloned());
    let mut out = Vec::new();
    for report in run_json(root, "spectral", &args)? {
        for problem in report.as_array().into_iter().flatten() {
            // 0 error, 1 warning, 2 information, 3 hint.
            let severity = match problem["severity"].as_u64() {
                Some(0) => "error",
                Some(1) => "warn",
                _ => continue,
            };
            let pointer: String = problem["path"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|segment| match segment {
                    Value::String(s) => format!("/{}", escape(s)),
                    other => format!("/{other}"),
                })
                .collect();
            out.push((
                relative(root, problem["source"].as_str().unwrap_or("?")),
                Finding {
                    pointer,
                    rule: format!("spectral/{}", problem["code"].as_str().unwrap_or("?")),
                    message: format!(
                        "{} ({severity}, line {})",
                        problem["message"].as_str().unwrap_or(""),
                        problem["range"]["start"]["line"]
                            .as_u64()
                            .map_or(0, |l| l + 1)
                    ),
                },
            ));
        }
    }
    Ok(out)
}

fn relative(root: &Path, file: &str) -> String {
    Path::new(file)
        .strip_prefix(root)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| file.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A small valid spec: one operation with a described parameter, a named request example and a
    /// response example, both valid.
    fn spec() -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {
                "/things/{id}": {
                    "parameters": [
                        {"name": "id", "in": "path", "required": true, "description": "The thing.",
                         "schema": {"type": "integer"}}
                    ],
                    "put": {
                        "operationId": "update_thing",
                        "summary": "Updates a thing.",
                        "tags": ["things"],
                        "x-doc-source": "PUT /things/{id}",
                        "requestBody": {"content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Thing"},
                            "examples": {"ok": {"summary": "A thing", "value": {"name": "a"}}}
                        }}},
                        "responses": {"200": {"$ref": "#/components/responses/Thing"}}
                    }
                }
            },
            "components": {
                "schemas": {"Thing": {"type": "object", "required": ["name"],
                                      "properties": {"name": {"type": "string"}}}},
                "responses": {"Thing": {"description": "The thing.", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Thing"},
                    "examples": {"ok": {"summary": "A thing", "value": {"name": "b"}}}
                }}}}
            },
            "x-decisions": [{"topic": "t", "decision": "d", "reason": "r", "source": "(none)"}]
        })
    }

    fn rules(document: &Value) -> Vec<(String, String)> {
        own_rules(document)
            .into_iter()
            .map(|f| (f.pointer, f.rule))
            .collect()
    }

    #[test]
    fn a_valid_spec_has_no_findings() {
        assert_eq!(own_rules(&spec()), vec![]);
    }

    #[test]
    fn an_example_that_breaks_its_schema_is_named_by_pointer() {
        let mut document = spec();
        document["paths"]["/things/{id}"]["put"]["requestBody"]["content"]["application/json"]["examples"]
            ["ok"]["value"] = json!({"name": 1});
        document["components"]["responses"]["Thing"]["content"]["application/json"]["examples"]["ok"]
            ["value"] = json!({});
        let findings = own_rules(&document);
        assert_eq!(
            findings,
            vec![
                Finding {
                    pointer: "/components/responses/Thing/content/application~1json/examples/ok/value"
                        .to_string(),
                    rule: "example-valid".to_string(),
                    message: "required property `name` is missing".to_string(),
                },
                Finding {
                    pointer: "/paths/~1things~1{id}/put/requestBody/content/application~1json/examples/ok/value/name"
                        .to_string(),
                    rule: "example-valid".to_string(),
                    message: "expected string, found number 1".to_string(),
                },
            ]
        );
    }

    #[test]
    fn a_refused_example_the_schema_accepts_is_reported() {
        let mut document = spec();
        let media = &mut document["paths"]["/things/{id}"]["put"]["requestBody"]["content"]["application/json"];
        media["x-refused-examples"] = json!({
            "refused": {"summary": "Answered 400", "value": {"name": 7}},
            "accepted": {"summary": "Answered 400 too", "value": {"name": "a"}},
        });
        assert_eq!(
            own_rules(&document),
            vec![Finding {
                pointer: "/paths/~1things~1{id}/put/requestBody/content/application~1json/x-refused-examples/accepted/value"
                    .to_string(),
                rule: "refused-example-refused".to_string(),
                message: "the schema accepts an example the service refuses: make the schema refuse it, or move it to `examples`"
                    .to_string(),
            }]
        );
    }

    #[test]
    fn a_missing_summary_source_id_tag_or_description_is_reported() {
        let mut document = spec();
        let operation = &mut document["paths"]["/things/{id}"]["put"];
        for key in ["summary", "x-doc-source", "operationId", "tags"] {
            operation.as_object_mut().unwrap().remove(key);
        }
        document["paths"]["/things/{id}"]["parameters"][0]
            .as_object_mut()
            .unwrap()
            .remove("description");
        let op = "/paths/~1things~1{id}/put".to_string();
        assert_eq!(
            rules(&document),
            vec![
                (
                    "/paths/~1things~1{id}/parameters/0".to_string(),
                    "parameter-description".to_string()
                ),
                (op.clone(), "operation-doc-source".to_string()),
                (op.clone(), "operation-id".to_string()),
                (op.clone(), "operation-summary".to_string()),
                (op, "operation-tag".to_string()),
            ]
        );
    }

    #[test]
    fn a_duplicate_route_and_operation_id_are_reported() {
        let mut document = spec();
        let mut copy = document["paths"]["/things/{id}"].clone();
        copy["parameters"][0]["name"] = json!("thing_id");
        document["paths"]["/things/{thing_id}"] = copy;
        let findings = own_rules(&document);
        let rules: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["operation-id-unique", "route-unique"]);
        assert_eq!(
            findings[1].message,
            "PUT /things/{} is also declared at /paths/~1things~1{id}/put"
        );
    }

    #[test]
    fn incomplete_decisions_and_single_examples_are_reported() {
        let mut document = spec();
        document["components"]["schemas"]["Thing"]["x-decisions"] =
            json!([{"topic": "t", "decision": "d", "reason": ""}]);
        let media = &mut document["paths"]["/things/{id}"]["put"]["requestBody"]["content"]["application/json"];
        media["example"] = json!({"name": "x"});
        media["examples"]["ok"]
            .as_object_mut()
            .unwrap()
            .remove("summary");
        let findings = own_rules(&document);
        let shown: Vec<String> = findings
            .iter()
            .map(|f| format!("{}: {}: {}", f.pointer, f.rule, f.message))
            .collect();
        assert_eq!(
            shown,
            [
                "/components/schemas/Thing/x-decisions/0: decision-fields: the decision has no reason, source",
                "/paths/~1things~1{id}/put/requestBody/content/application~1json/example: example-named: use named `examples` (each with a summary), not a single `example`",
                "/paths/~1things~1{id}/put/requestBody/content/application~1json/examples/ok: example-summary: example `ok` has no summary",
            ]
        );
    }

    #[test]
    fn parameter_examples_are_checked() {
        let mut document = spec();
        document["paths"]["/things/{id}"]["parameters"][0]["example"] = json!("seven");
        assert_eq!(
            rules(&document),
            [(
                "/paths/~1things~1{id}/parameters/0/example".to_string(),
                "example-valid".to_string()
            )]
        );
    }

    #[test]
    fn templates_normalise() {
        assert_eq!(normalise_template("/a/{x}/b/{y-z}"), "/a/{}/b/{}");
    }
}
