//! Every JSON example of `specs/hostway.yaml` (request and response) against the Rust type the SDK uses for
//! it: each must decode, and serialising the decoded value again must give back the same data (a field the
//! type does not know would be dropped silently by serde; a default it adds would be sent on the wire).
//! Requests must come back byte-for-byte equal as JSON values; responses equal up to `null` members and
//! empty arrays, which the SDK's types leave out.

mod hostway_ops;

use hostway_ops::{
    SPEC, normalized, operations, refused_request_examples, request_examples, responses,
    spec_operation, spec_operation_ids,
};
use serde_json::Value;

/// Counts the spec's examples without the operation table: every entry of an `examples` map under an
/// `application/json` media type, anywhere in the document.
fn count_json_examples(value: &Value) -> usize {
    match value {
        Value::Object(map) => map
            .iter()
            .map(|(key, child)| {
                let own = if key == "application/json" {
                    child
                        .get("examples")
                        .and_then(Value::as_object)
                        .map_or(0, |e| e.len())
                } else {
                    0
                };
                own + count_json_examples(child)
            })
            .sum(),
        Value::Array(items) => items.iter().map(count_json_examples).sum(),
        _ => 0,
    }
}

#[test]
fn every_json_example_of_the_spec_round_trips_through_its_rust_type() {
    let ops = operations();
    let mut table_ids: Vec<&str> = ops.iter().map(|op| op.id).collect();
    let mut spec_ids = spec_operation_ids();
    table_ids.sort_unstable();
    spec_ids.sort_unstable();
    assert_eq!(
        table_ids, spec_ids,
        "the operation table lists every operation of the spec, once"
    );

    let (mut requests, mut responses_checked, mut failures) = (0, 0, Vec::new());
    for op in &ops {
        let (_, _, operation) = spec_operation(op.id);
        for (name, example) in request_examples(&operation) {
            requests += 1;
            let check = op.body.unwrap_or_else(|| {
                panic!("{} has request examples but its entry takes no body", op.id)
            });
            let expected = example.clone();
            match check(&example) {
                Ok(again) if again == expected => {}
                Ok(again) => failures.push(format!(
                    "{} request {name}: sent as {again} instead of {expected}",
                    op.id
                )),
                Err(e) => failures.push(format!("{} request {name}: {e}", op.id)),
            }
        }
        for (status, _, examples) in responses(&operation) {
            let check = if (200..300).contains(&status) {
                op.ok
            } else {
                op.err
            };
            for (name, example) in examples {
                responses_checked += 1;
                match check(&example) {
                    Ok(again) if normalized(&again) == normalized(&example) => {}
                    Ok(again) => failures.push(format!(
                        "{} {status} {name}: kept as {again} instead of {example}",
                        op.id
                    )),
                    Err(e) => failures.push(format!("{} {status} {name}: {e}", op.id)),
                }
            }
        }
    }
    let total = requests + responses_checked;
    println!(
        "hostway: {total} JSON examples validated against their Rust types ({requests} request bodies, {responses_checked} responses) over {} operations",
        ops.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} examples do not survive their Rust type:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        total,
        count_json_examples(&SPEC),
        "every JSON example of the spec was checked"
    );
    assert!(total > 200, "the spec's examples were found ({total})");
}

#[test]
fn every_body_the_document_shows_refused_is_refused_by_its_type() {
    // `x-refused-examples`: request bodies the service answers 400 for their shape (a required member
    // missing, only unknown members, a value out of range). Their Rust type must refuse each one, so that
    // no such body can be built from JSON and sent (`{"badBody": ..}` used to go out as `{}`).
    let (mut refused, mut failures) = (0, Vec::new());
    for op in operations() {
        let (_, _, operation) = spec_operation(op.id);
        for (name, example) in refused_request_examples(&operation) {
            let check = op
                .body
                .expect("a refused example belongs to an operation with a body");
            match check(&example) {
                Err(_) => refused += 1,
                Ok(sent) => failures.push(format!(
                    "{} refused example {name}: {example} accepted, sent as {sent}",
                    op.id
                )),
            }
        }
    }
    println!("hostway: {refused} refused request examples refused by their Rust type");
    assert!(
        failures.is_empty(),
        "bodies the service refuses are accepted:\n{}",
        failures.join("\n")
    );
    assert!(
        refused >= 6,
        "the spec's refused examples were found ({refused})"
    );
}

#[test]
fn the_round_trip_check_catches_dropped_fields_and_added_defaults() {
    // The check above must be able to fail: a field the type does not know (answers stay open: an unknown
    // member is dropped, not an error), and a type that adds a value.
    let unknown = serde_json::json!({"quota": 2048, "extra": 1});
    let kept = hostway_ops::round_trip::<sdk_hostway::types::EmailDomain>(&unknown).unwrap();
    assert_ne!(kept, unknown);
    // A request body is closed: an unknown member is an error, never dropped.
    let unknown = serde_json::json!({"list": [{"address": "a@b.c", "type": "W"}], "extra": 1});
    assert!(hostway_ops::round_trip::<sdk_hostway::types::BlackWhiteListUpdate>(&unknown).is_err());
    let wrong_shape = serde_json::json!({"list": "not a list"});
    assert!(
        hostway_ops::round_trip::<sdk_hostway::types::BlackWhiteListUpdate>(&wrong_shape).is_err()
    );
}
