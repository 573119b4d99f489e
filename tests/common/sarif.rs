//! SARIF snapshots without the rule catalogue: `tool.driver.rules` lists every registered
//! rule, so a snapshot of it would change with every new rule. The catalogue is checked
//! against the registry here; the snapshot keeps only the rules the results name.

use serde_json::Value;

/// The SARIF log `stdout` with `tool.driver.rules` cut to the rules its results name, after
/// checking that the catalogue is the registry, in order, and that each result's
/// `ruleIndex` points at its rule.
pub fn without_catalogue(stdout: &[u8]) -> Value {
    let mut log: Value = serde_json::from_slice(stdout).expect("SARIF is JSON");
    for run in log["runs"].as_array_mut().expect("runs") {
        let rules = run["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules")
            .clone();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        let registry: Vec<&str> = gwlint::rules::RULES.iter().map(|r| r.code).collect();
        assert_eq!(ids, registry, "the SARIF catalogue is not the registry");
        let mut used = Vec::new();
        for result in run["results"].as_array_mut().expect("results") {
            let id = result["ruleId"].as_str().unwrap().to_string();
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(ids[index], id, "ruleIndex of a {id} result");
            if !used.contains(&id) {
                used.push(id);
            }
            // The index is into the whole catalogue: checked above, not kept.
            result.as_object_mut().unwrap().remove("ruleIndex");
        }
        run["tool"]["driver"]["rules"] = Value::Array(
            rules
                .into_iter()
                .filter(|r| used.iter().any(|u| u == r["id"].as_str().unwrap()))
                .collect(),
        );
    }
    log
}
