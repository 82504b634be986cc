//! Tests of who may do what.

use super::*;

fn user(name: &str, role: Role, scopes: &[&str], db_role: Option<&str>) -> User {
    User {
        name: name.into(),
        role,
        scopes: scopes.iter().map(|s| s.to_string()).collect(),
        db_role: db_role.map(str::to_string),
        added_by: "x".into(),
        added_at: "t".into(),
    }
}

#[test]
fn without_users_anyone_is_who_they_say() {
    let a = resolve_actor(&[], Some("ana"), "login", None).unwrap();
    assert_eq!(a.name, "ana");
    assert!(a.single_user());
    assert!(a.require(Need::Admin).is_ok());
    let b = resolve_actor(&[], None, "login", None).unwrap();
    assert_eq!(b.name, "login");
}

#[test]
fn with_users_the_name_must_be_one_and_the_role_must_allow() {
    let users = [
        user("ana", Role::Reporter, &["MO3.1"], None),
        user("bo", Role::Approver, &[], None),
    ];
    let e = resolve_actor(&users, Some("eve"), "login", None).unwrap_err();
    assert!(e.to_string().contains("`eve` is not a user"), "{e}");
    let ana = resolve_actor(&users, None, "ana", None).unwrap();
    assert!(ana.require(Need::Record).is_ok());
    let e = ana.require(Need::Review).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`ana` is a reporter and cannot approve or return values"
    );
    let bo = resolve_actor(&users, Some("bo"), "ana", None).unwrap();
    assert!(bo.require(Need::Review).is_ok());
    assert!(bo.require(Need::Admin).is_err());
}

#[test]
fn a_mapped_server_role_is_its_user_and_cannot_claim_another() {
    let users = [
        user("ana", Role::Reporter, &[], Some("ana_role")),
        user("bo", Role::Approver, &[], Some("bo_role")),
        user("cy", Role::Viewer, &[], None),
    ];
    let a = resolve_actor(&users, None, "whoever", Some("ana_role")).unwrap();
    assert_eq!(a.name, "ana");
    let e = resolve_actor(&users, Some("bo"), "x", Some("ana_role")).unwrap_err();
    assert!(e.to_string().contains("cannot act as `bo`"), "{e}");
    // An unmapped role cannot claim a mapped user either.
    let e = resolve_actor(&users, Some("bo"), "x", Some("postgres")).unwrap_err();
    assert!(
        e.to_string()
            .contains("connects as the database role `bo_role`"),
        "{e}"
    );
    // ... but may act as a user without a mapping.
    assert_eq!(
        resolve_actor(&users, Some("cy"), "x", Some("postgres"))
            .unwrap()
            .name,
        "cy"
    );
}

#[test]
fn the_automatic_lock_starts_the_given_days_after_the_period_ends() {
    let q1 = FiscalPeriod::quarter(2022, 1); // ends 2021-12-31
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert!(lock_on(&[], Some(30), day("2022-01-30"), q1).is_none());
    assert!(lock_on(&[], Some(30), day("2022-01-31"), q1).is_some());
    assert!(lock_on(&[], None, day("2030-01-01"), q1).is_none());
    let e = locked_error(q1, &lock_on(&[], Some(30), day("2022-02-01"), q1).unwrap());
    assert!(e.to_string().contains("lock_after_days = 30"), "{e}");
}

#[test]
fn a_scope_covers_every_indicator_under_its_nodes_and_named_indicators() {
    let fw = crate::framework::parse_str(crate::shipped::FRAMEWORK, "framework.toml").unwrap();
    let mo31 = scope_indicators(&fw, &["MO3.1".to_string()]);
    let mut got: Vec<&str> = mo31.iter().map(String::as_str).collect();
    got.sort();
    assert_eq!(
        got,
        [
            "IND-POVERTY",
            "IND-TRADE-AGFOOD",
            "IND-TRADE-GOODS",
            "IND-US-FDI"
        ]
    );
    // A goal covers its objectives' indicators and its own.
    assert_eq!(scope_indicators(&fw, &["MG3".to_string()]), mo31);
    let mg4 = scope_indicators(&fw, &["MG4".to_string()]);
    assert!(
        mg4.contains("IND-US-VISITORS") && mg4.contains("IND-VISA-APPS"),
        "{mg4:?}"
    );
    // An indicator code is a scope of one.
    let one = scope_indicators(&fw, &["IND-US-VISITORS".to_string()]);
    assert_eq!(one.len(), 1);
    assert!(unknown_scopes(&fw, &["MO3.1".into(), "NOPE".into()]) == ["NOPE"]);
}
