//! A typed model of one API, read once from its spec (`openapiv3`): what each operation is (method, path
//! template, parameters, body, responses, public or not, pagination, examples). The manifest the tests read
//! (`manifest.rs`) is written from it; generation itself still works on the normalised JSON
//! (`normalize.rs`), which progenitor needs.

use openapiv3::{
    OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody, Response, Schema,
    SchemaKind, SecurityScheme, StatusCode, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

/// The HTTP methods of a path item, in the order `normalize.rs` lists routes.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

pub struct Api {
    pub operations: Vec<Operation>,
    /// Every security scheme, in the spec's order.
    pub security: Vec<Security>,
}

pub struct Operation {
    pub id: String,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path template, as in the spec (`/sub_accounts/{account_id}`).
    pub path: String,
    /// `security: []`: sent without credentials.
    pub public: bool,
    /// Path-level parameters first (unless the operation redefines them), then the operation's own.
    pub parameters: Vec<Param>,
    pub body: Option<Body>,
    /// Every documented response, in the spec's order (`default` kept as it is written).
    pub responses: Vec<Answer>,
    /// The raw `x-pagination` vendor extension of the operation, when the spec declares one.
    pub pagination: Option<Value>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Header,
    Cookie,
}

impl Location {
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }
}

pub struct Param {
    /// The name on the wire.
    pub name: String,
    pub location: Location,
    pub required: bool,
    /// A `format: password` string, or the name of an `apiKey` scheme sent in the query.
    pub secret: bool,
    /// The parameter's `example` (or its first `examples` entry), else its schema's.
    pub example: Option<Value>,
}

pub struct Body {
    pub required: bool,
    /// The media type of its first content entry (`application/json`, ...).
    pub media_type: String,
    /// The component schema's name when the body is a `$ref` to one.
    pub schema: Option<String>,
    /// The first example the spec gives of the body.
    pub example: Option<Value>,
}

pub struct Answer {
    /// `200`, `4XX`, `default`.
    pub status: String,
    /// Whether the response documents an `application/json` body.
    pub json_body: bool,
    /// The component schema's name of that body, when it is a `$ref` to one.
    pub schema: Option<String>,
}

impl Answer {
    /// A documented error: a 4xx/5xx code, a `4XX`/`5XX` range, or `default`.
    pub fn is_error(&self) -> bool {
        self.status.starts_with('4') || self.status.starts_with('5') || self.status == "default"
    }
}

pub enum Security {
    ApiKey { location: String, name: String },
    Http { scheme: String },
    OAuth2,
    Other,
}

/// Reads the model from a spec (the reviewed YAML as JSON, before normalisation).
pub fn read(spec: &Value) -> Result<Api, String> {
    let api: OpenAPI = serde_json::from_value(spec.clone())
        .map_err(|e| format!("not an OpenAPI 3.0 document: {e}"))?;
    let components = api.components.clone().unwrap_or_default();
    let mut security = Vec::new();
    for scheme in components.security_schemes.values() {
        let ReferenceOr::Item(scheme) = scheme else {
            security.push(Security::Other);
            continue;
        };
        security.push(match scheme {
            SecurityScheme::APIKey { location, name, .. } => Security::ApiKey {
                location: serde_json::to_value(location)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                name: name.clone(),
            },
            SecurityScheme::HTTP { scheme, .. } => Security::Http {
                scheme: scheme.to_ascii_lowercase(),
            },
            SecurityScheme::OAuth2 { .. } => Security::OAuth2,
            _ => Security::Other,
        });
    }
    let query_keys: Vec<&str> = security
        .iter()
        .filter_map(|s| match s {
            Security::ApiKey { location, name } if location == "query" => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let root_public = api.security.as_ref().is_some_and(Vec::is_empty);

    let resolve_param = |p: &ReferenceOr<Parameter>| -> Result<Parameter, String> {
        match p {
            ReferenceOr::Item(p) => Ok(p.clone()),
            ReferenceOr::Reference { reference } => components
                .parameters
                .get(component_name(reference))
                .and_then(|p| p.as_item().cloned())
                .ok_or_else(|| format!("unresolved parameter {reference}")),
        }
    };
    let resolve_schema = |s: &ReferenceOr<Schema>| -> Option<Schema> {
        match s {
            ReferenceOr::Item(s) => Some(s.clone()),
            ReferenceOr::Reference { reference } => components
                .schemas
                .get(component_name(reference))
                .and_then(|s| s.as_item().cloned()),
        }
    };

    let mut operations = Vec::new();
    for (path, item) in api.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            return Err(format!("path {path}: a `$ref` path item is not supported"));
        };
        let by_method = [
            ("get", &item.get),
            ("put", &item.put),
            ("post", &item.post),
            ("delete", &item.delete),
            ("patch", &item.patch),
            ("head", &item.head),
            ("options", &item.options),
            ("trace", &item.trace),
        ];
        for method in METHODS {
            let Some((_, Some(op))) = by_method.iter().find(|(m, _)| m == method) else {
                continue;
            };
            let id = op.operation_id.clone().ok_or_else(|| {
                format!("operation {} {path}: no operationId", method.to_uppercase())
            })?;
            let mut own: Vec<Parameter> = Vec::new();
            for p in &op.parameters {
                own.push(resolve_param(p).map_err(|e| format!("operation {id}: {e}"))?);
            }
            // The path's parameters first (in the spec's order), unless the operation redefines them.
            let mut declared: Vec<Parameter> = Vec::new();
            for p in &item.parameters {
                let p = resolve_param(p).map_err(|e| format!("path {path}: {e}"))?;
                if !own
                    .iter()
                    .any(|o| o.parameter_data_ref().name == p.parameter_data_ref().name)
                {
                    declared.push(p);
                }
            }
            declared.extend(own);
            let parameters = declared
                .iter()
                .map(|p| {
                    let data = p.parameter_data_ref();
                    let location = match p {
                        Parameter::Path { .. } => Location::Path,
                        Parameter::Query { .. } => Location::Query,
                        Parameter::Header { .. } => Location::Header,
                        Parameter::Cookie { .. } => Location::Cookie,
                    };
                    let schema = match &data.format {
                        ParameterSchemaOrContent::Schema(s) => resolve_schema(s),
                        ParameterSchemaOrContent::Content(_) => None,
                    };
                    let password = schema.as_ref().is_some_and(is_password);
                    let example = data
                        .example
                        .clone()
                        .or_else(|| {
                            data.examples
                                .values()
                                .find_map(|e| e.as_item().and_then(|e| e.value.clone()))
                        })
                        .or_else(|| schema.as_ref().and_then(|s| s.schema_data.example.clone()));
                    Param {
                        name: data.name.clone(),
                        location,
                        required: data.required,
                        secret: password
                            || (location == Location::Query
                                && query_keys.contains(&data.name.as_str())),
                        example,
                    }
                })
                .collect();
            let body = match &op.request_body {
                None => None,
                Some(body) => {
                    let body: RequestBody = match body {
                        ReferenceOr::Item(b) => b.clone(),
                        ReferenceOr::Reference { reference } => components
                            .request_bodies
                            .get(component_name(reference))
                            .and_then(|b| b.as_item().cloned())
                            .ok_or_else(|| format!("operation {id}: unresolved {reference}"))?,
                    };
                    let (media_type, media) = body
                        .content
                        .first()
                        .ok_or_else(|| format!("operation {id}: a request body without content"))?;
                    Some(Body {
                        required: body.required,
                        media_type: media_type.clone(),
                        schema: media.schema.as_ref().and_then(schema_name),
                        example: media.example.clone().or_else(|| {
                            media.examples.values().find_map(|e| match e {
                                ReferenceOr::Item(e) => e.value.clone(),
                                ReferenceOr::Reference { reference } => components
                                    .examples
                                    .get(component_name(reference))
                                    .and_then(|e| e.as_item())
                                    .and_then(|e| e.value.clone()),
                            })
                        }),
                    })
                }
            };
            let mut responses = Vec::new();
            let documented = op
                .responses
                .responses
                .iter()
                .map(|(code, r)| {
                    let status = match code {
                        StatusCode::Code(n) => n.to_string(),
                        StatusCode::Range(n) => format!("{n}XX"),
                    };
                    (status, r)
                })
                .chain(
                    op.responses
                        .default
                        .iter()
                        .map(|r| ("default".to_string(), r)),
                );
            for (status, response) in documented {
                let response: Response = match response {
                    ReferenceOr::Item(r) => r.clone(),
                    ReferenceOr::Reference { reference } => components
                        .responses
                        .get(component_name(reference))
                        .and_then(|r| r.as_item().cloned())
                        .ok_or_else(|| format!("operation {id}: unresolved {reference}"))?,
                };
                let json = response.content.get("application/json");
                responses.push(Answer {
                    status,
                    json_body: json.is_some(),
                    schema: json.and_then(|m| m.schema.as_ref()).and_then(schema_name),
                });
            }
            let public = match &op.security {
                Some(requirements) => requirements.is_empty(),
                None => root_public,
            };
            operations.push(Operation {
                id,
                method: method.to_uppercase(),
                path: path.clone(),
                public,
                parameters,
                body,
                responses,
                pagination: op.extensions.get("x-pagination").cloned(),
            });
        }
    }
    Ok(Api {
        operations,
        security,
    })
}

fn component_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

fn schema_name(schema: &ReferenceOr<Schema>) -> Option<String> {
    match schema {
        ReferenceOr::Reference { reference } => Some(component_name(reference).to_string()),
        ReferenceOr::Item(_) => None,
    }
}

fn is_password(schema: &Schema) -> bool {
    matches!(
        &schema.schema_kind,
        SchemaKind::Type(Type::String(s))
            if s.format == VariantOrUnknownOrEmpty::Item(StringFormat::Password)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_operations_parameters_bodies_and_responses() {
        let spec = json!({
            "openapi": "3.0.3",
            "info": { "title": "t", "version": "1" },
            "security": [{ "key": [] }],
            "components": {
                "securitySchemes": { "key": { "type": "apiKey", "in": "query", "name": "api-key" } },
                "parameters": {
                    "Id": { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }
                },
                "responses": { "Oops": { "description": "x", "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Oops" } } } } },
                "schemas": { "Oops": { "type": "object" } }
            },
            "paths": { "/things/{id}": {
                "parameters": [{ "$ref": "#/components/parameters/Id" }],
                "get": {
                    "operationId": "get_thing",
                    "x-pagination": { "page": "page" },
                    "parameters": [
                        { "name": "pw", "in": "query", "schema": { "type": "string", "format": "password" } },
                        { "name": "api-key", "in": "query", "schema": { "type": "string" } }
                    ],
                    "responses": { "200": { "description": "ok" }, "4XX": { "$ref": "#/components/responses/Oops" } }
                },
                "post": {
                    "operationId": "post_thing",
                    "security": [],
                    "requestBody": { "required": true, "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/Oops" }, "example": { "a": 1 } } } },
                    "responses": { "default": { "description": "x" } }
                }
            } }
        });
        let api = read(&spec).unwrap();
        let [get, post] = &api.operations[..] else {
            panic!("two operations")
        };
        assert_eq!((get.id.as_str(), get.method.as_str()), ("get_thing", "GET"));
        assert!(!get.public && post.public);
        let names: Vec<(&str, bool, bool)> = get
            .parameters
            .iter()
            .map(|p| (p.name.as_str(), p.required, p.secret))
            .collect();
        assert_eq!(
            names,
            [
                ("id", true, false),
                ("pw", false, true),
                ("api-key", false, true)
            ]
        );
        assert_eq!(get.pagination, Some(json!({ "page": "page" })));
        assert_eq!(get.responses[1].status, "4XX");
        assert!(get.responses[1].json_body && get.responses[1].is_error());
        assert_eq!(get.responses[1].schema.as_deref(), Some("Oops"));
        let body = post.body.as_ref().unwrap();
        assert!(body.required);
        assert_eq!(body.example, Some(json!({ "a": 1 })));
        assert_eq!(post.parameters.len(), 1, "the path's parameter applies");
        assert_eq!(post.responses[0].status, "default");
    }
}
