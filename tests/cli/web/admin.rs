//! Admin pages (`/admin/users`, `/admin/locks`): the CLI's changes and checks, admins only.

use super::{mission, Server};
use crate::common::Env;

#[test]
fn an_admin_adds_changes_and_removes_users_with_the_clis_checks() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut pm = server.client();
    pm.sign_in("pm.lima");
    let page = pm.get("/admin/users");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("<td>ana.econ</td><td>reporter</td><td>MO3.1</td>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("ics user set-password NAME"));
    let csrf = page.csrf();
    let p = pm.post(
        "/admin/users/add",
        &[
            ("csrf", &csrf),
            ("name", "new.person"),
            ("role", "reporter"),
            ("scope", "MO3.1"),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    let page = pm.get("/admin/users");
    assert!(page.body.contains("added user new.person"), "{}", page.body);
    let list = env.ics(&["user", "list"]).ok().stdout;
    assert!(list.contains("new.person"), "{list}");
    let p = pm.post(
        "/admin/users/role",
        &[
            ("csrf", &csrf),
            ("name", "new.person"),
            ("role", "approver"),
            ("scope", ""),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(pm
        .get("/admin/users")
        .body
        .contains("<td>new.person</td><td>approver</td><td>all</td>"));
    let p = pm.post(
        "/admin/users/remove",
        &[("csrf", &csrf), ("name", "new.person")],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(!env
        .ics(&["user", "list"])
        .ok()
        .stdout
        .contains("new.person"));
    // The last admin stays, as in the CLI.
    let before = env.ics(&["user", "list"]).ok().stdout;
    let p = pm.post(
        "/admin/users/remove",
        &[("csrf", &csrf), ("name", "pm.lima")],
    );
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(p.body.contains("admin"), "{}", p.body);
    let p = pm.post(
        "/admin/users/add",
        &[("csrf", &csrf), ("name", "x"), ("role", "emperor")],
    );
    assert_eq!(p.status, 400, "{}", p.body);
    assert_eq!(env.ics(&["user", "list"]).ok().stdout, before);
    // The log names the admin.
    let log = env.ics(&["log"]).ok().stdout;
    assert!(log.contains("user-add") && log.contains("pm.lima"), "{log}");
}

#[test]
fn an_admin_locks_and_unlocks_with_a_reason() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut pm = server.client();
    pm.sign_in("pm.lima");
    let csrf = pm.get("/admin/locks").csrf();
    let p = pm.post(
        "/admin/locks/lock",
        &[
            ("csrf", &csrf),
            ("period", "FY2021"),
            ("reason", "<i>closed</i>"),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    let page = pm.get("/admin/locks");
    assert!(
        page.body.contains("&lt;i&gt;closed&lt;/i&gt;"),
        "{}",
        page.body
    );
    assert!(env.ics(&["locks"]).ok().stdout.contains("FY2021"));
    // An unlock needs a reason, as in the CLI.
    let p = pm.post(
        "/admin/locks/unlock",
        &[
            ("csrf", &csrf),
            ("period", "FY2021"),
            ("through", ""),
            ("reason", " "),
        ],
    );
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(env.ics(&["locks"]).ok().stdout.contains("FY2021"));
    let p = pm.post(
        "/admin/locks/unlock",
        &[
            ("csrf", &csrf),
            ("period", "FY2021"),
            ("through", ""),
            ("reason", "late data"),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(!env.ics(&["locks"]).ok().stdout.contains("FY2021"));
    let p = pm.post(
        "/admin/locks/lock",
        &[("csrf", &csrf), ("period", "FY2022"), ("through", "1")],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(pm.get("/admin/locks").body.contains("through FY2022"));
}

#[test]
fn only_admins_see_and_change_users_and_locks() {
    let env = Env::new();
    mission(&env);
    let server = Server::start(&env, &[]);
    let mut bo = server.client();
    bo.sign_in("bo.po");
    let home = bo.get("/");
    assert!(!home.body.contains("/admin/users"), "{}", home.body);
    let csrf = home.csrf();
    let before = (
        env.ics(&["user", "list"]).ok().stdout,
        env.ics(&["locks"]).ok().stdout,
    );
    assert_eq!(bo.get("/admin/users").status, 403);
    assert_eq!(bo.get("/admin/locks").status, 403);
    for (path, form) in [
        ("/admin/users/add", vec![("name", "bo2"), ("role", "admin")]),
        (
            "/admin/users/role",
            vec![("name", "bo.po"), ("role", "admin")],
        ),
        ("/admin/users/remove", vec![("name", "pm.lima")]),
        ("/admin/locks/lock", vec![("period", "FY2021")]),
    ] {
        let mut f = vec![("csrf", csrf.as_str())];
        f.extend(form);
        assert_eq!(bo.post(path, &f).status, 403, "{path}");
    }
    let after = (
        env.ics(&["user", "list"]).ok().stdout,
        env.ics(&["locks"]).ok().stdout,
    );
    assert_eq!(after, before);
}

#[test]
fn in_single_user_mode_the_first_user_is_an_admin() {
    let env = Env::new();
    env.load_shipped();
    let server = Server::start(&env, &[]);
    let mut me = server.client();
    let page = me.get("/admin/users");
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = page.csrf();
    let p = me.post(
        "/admin/users/add",
        &[("csrf", &csrf), ("name", "ana"), ("role", "reporter")],
    );
    assert_eq!(p.status, 400, "{}", p.body);
    assert!(
        p.body.contains("the first user must be an admin"),
        "{}",
        p.body
    );
    let p = me.post(
        "/admin/users/add",
        &[("csrf", &csrf), ("name", "tester"), ("role", "admin")],
    );
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(env.ics(&["user", "list"]).ok().stdout.contains("tester"));
}
