//! `ics user add|list|remove|set-role`: the people who use the database and their roles.

use std::io::Write;

use super::Context;
use crate::cli::{RoleArg, TableFormat, UserCommand};
use crate::clock::now_utc;
use crate::error::Error;
use crate::render::listing::{short_time, Listing};
use crate::store::{Storage, WriteValues};
use crate::workflow::password;
use crate::workflow::policy::{self, Actor, Need};
use crate::workflow::{LogEntry, Role, User};
use crate::Outcome;

pub fn run(cx: &Context, command: &UserCommand, out: &mut dyn Write) -> Result<Outcome, Error> {
    let mut store = cx.open_database()?;
    match command {
        UserCommand::List(args) => list(&*store, args.format, cx, out),
        UserCommand::Add(args) => {
            let name = checked_name(&args.name, "user name")?;
            let db_role = args
                .db_role
                .as_deref()
                .map(|r| checked_name(r, "database role"))
                .transpose()?;
            let actor = cx.actor(&mut *store, None)?;
            let role = role(args.role);
            let first = actor.single_user();
            if first && role != Role::Admin {
                return Err(Error::input_with_hint(
                    "the first user must be an admin, so that someone can add the others",
                    format!(
                        "add yourself first: `ics user add {} --role admin`",
                        actor.name
                    ),
                ));
            }
            actor.require(Need::Admin)?;
            let scopes = checked_scopes(cx, &mut *store, role, &args.scopes)?;
            // Read before anything is written, so a mistyped password adds nobody.
            let typed = if args.password {
                Some(super::password::read(name)?)
            } else if args.no_password {
                None
            } else {
                super::password::offer(name)?
            };
            let hash = typed.map(|pw| password::hash(&pw)).transpose()?;
            let user = User {
                name: name.to_string(),
                role,
                scopes,
                db_role: db_role.map(str::to_string),
                added_by: actor.name.clone(),
                added_at: now_utc(),
            };
            store.write_values(false, |w| {
                if w.users()?.iter().any(|u| u.name == user.name) {
                    return Err(Error::input_with_hint(
                        format!("`{}` is already a user", user.name),
                        format!(
                            "change the role with `ics user set-role {} ROLE`",
                            user.name
                        ),
                    ));
                }
                w.put_user(&user)?;
                let mut detail = describe(&user);
                if let Some(h) = &hash {
                    w.set_password_hash(&user.name, Some(h))?;
                    detail.push_str(", with a password");
                }
                w.append_log(&entry(&actor, "user-add", &user.name, detail, None))
            })?;
            writeln!(out, "added user {}: {}", user.name, describe(&user))?;
            if first {
                writeln!(
                    out,
                    "the database now has users: every write needs one of them (--as NAME, ICS_USER, or your login name)"
                )?;
            }
            Ok(Outcome::Success)
        }
        UserCommand::SetPassword(args) => {
            let actor = cx.actor(&mut *store, None)?;
            let name = args.name.trim().to_string();
            if actor.user.as_ref().is_none_or(|u| u.name != name) {
                actor.require(Need::Admin).map_err(|_| {
                    Error::input(format!(
                        "only an admin sets the password of someone else (`{name}`)"
                    ))
                })?;
            }
            if !store.users()?.iter().any(|u| u.name == name) {
                return Err(unknown_user(&name));
            }
            let hash = if args.clear {
                None
            } else {
                Some(password::hash(&super::password::read(&name)?)?)
            };
            store.write_values(false, |w| {
                if !w.set_password_hash(&name, hash.as_deref())? {
                    return Err(unknown_user(&name));
                }
                let detail = if args.clear {
                    "password removed"
                } else {
                    "password set"
                };
                w.append_log(&entry(&actor, "user-password", &name, detail.into(), None))
            })?;
            if args.clear {
                writeln!(
                    out,
                    "removed the password of {name}: they can no longer sign in to `ics serve`"
                )?;
            } else {
                writeln!(out, "set the password of {name}")?;
            }
            Ok(Outcome::Success)
        }
        UserCommand::Remove(args) => {
            let actor = cx.actor(&mut *store, None)?;
            actor.require(Need::Admin)?;
            let name = args.name.trim().to_string();
            store.write_values(false, |w| {
                let users = w.users()?;
                let Some(gone) = users.iter().find(|u| u.name == name) else {
                    return Err(unknown_user(&name));
                };
                if gone.role == Role::Admin && users.len() > 1 && admins(&users) == 1 {
                    return Err(last_admin(&name));
                }
                w.remove_user(&name)?;
                w.append_log(&entry(&actor, "user-remove", &name, describe(gone), None))
            })?;
            writeln!(out, "removed user {name} (the log keeps what they did)")?;
            Ok(Outcome::Success)
        }
        UserCommand::SetRole(args) => {
            let actor = cx.actor(&mut *store, None)?;
            actor.require(Need::Admin)?;
            let name = args.name.trim().to_string();
            let role = role(args.role);
            let new_scopes = if args.all {
                Some(Vec::new())
            } else if args.scopes.is_empty() {
                None
            } else {
                Some(checked_scopes(cx, &mut *store, role, &args.scopes)?)
            };
            let db_role = args
                .db_role
                .as_deref()
                .map(|r| checked_name(r, "database role"))
                .transpose()?;
            let changed = store.write_values(false, |w| {
                let users = w.users()?;
                let Some(old) = users.iter().find(|u| u.name == name) else {
                    return Err(unknown_user(&name));
                };
                if old.role == Role::Admin && role != Role::Admin && admins(&users) == 1 {
                    return Err(last_admin(&name));
                }
                let mut user = old.clone();
                user.role = role;
                if let Some(s) = &new_scopes {
                    user.scopes = s.clone();
                }
                if !role.scoped() {
                    user.scopes.clear();
                }
                if let Some(r) = db_role {
                    user.db_role = Some(r.to_string());
                }
                if user == *old {
                    return Ok(None);
                }
                w.put_user(&user)?;
                let detail = format!("{} (was {})", describe(&user), describe(old));
                w.append_log(&entry(&actor, "user-role", &name, detail, None))?;
                Ok(Some(user))
            })?;
            match changed {
                Some(u) => writeln!(out, "{}: {}", u.name, describe(&u))?,
                None => writeln!(
                    out,
                    "{name} already has that role and scope; nothing changed"
                )?,
            }
            Ok(Outcome::Success)
        }
    }
}

fn list(
    store: &dyn Storage,
    format: TableFormat,
    cx: &Context,
    out: &mut dyn Write,
) -> Result<Outcome, Error> {
    let users = store.users()?;
    if format == TableFormat::Json {
        let rows: Vec<serde_json::Value> = users
            .iter()
            .map(|u| {
                serde_json::json!({
                    "name": u.name,
                    "role": u.role.as_str(),
                    "scopes": u.scopes,
                    "db_role": u.db_role,
                    "added_by": u.added_by,
                    "added_at": u.added_at,
                    "password": has_password(store, &u.name),
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &rows).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(Outcome::Success);
    }
    if users.is_empty() && format == TableFormat::Table {
        writeln!(
            out,
            "no users: the database is in single-user mode (add an admin with `ics user add NAME --role admin`)"
        )?;
        return Ok(Outcome::Success);
    }
    let mut l = Listing::new(vec![
        "user",
        "role",
        "scope",
        "db role",
        "added by",
        "added (UTC)",
        "password",
    ]);
    for u in &users {
        l.rows.push(vec![
            u.name.clone(),
            u.role.as_str().to_string(),
            scope_text(u),
            u.db_role.clone().unwrap_or_default(),
            u.added_by.clone(),
            short_time(&u.added_at),
            match has_password(store, &u.name) {
                Some(true) => "set",
                Some(false) => "-",
                None => "?",
            }
            .to_string(),
        ]);
    }
    match format {
        TableFormat::Csv => l.csv(out)?,
        _ => write!(out, "{}", l.table(cx.term))?,
    }
    Ok(Outcome::Success)
}

/// Whether the user has a sign-in password (`None` where the backend does not store them).
fn has_password(store: &dyn Storage, name: &str) -> Option<bool> {
    store.password_hash(name).ok().map(|h| h.is_some())
}

fn role(r: RoleArg) -> Role {
    match r {
        RoleArg::Viewer => Role::Viewer,
        RoleArg::Reporter => Role::Reporter,
        RoleArg::Approver => Role::Approver,
        RoleArg::Admin => Role::Admin,
    }
}

/// `reporter for MO3.1, DO1` or `approver for everything`.
fn describe(u: &User) -> String {
    let mut s = u.role.as_str().to_string();
    if u.role.scoped() {
        s.push_str(" for ");
        s.push_str(&scope_text(u));
    }
    if let Some(r) = &u.db_role {
        s.push_str(&format!(", database role {r}"));
    }
    s
}

fn scope_text(u: &User) -> String {
    match (u.role.scoped(), u.scopes.is_empty()) {
        (false, _) => "-".to_string(),
        (true, true) => "everything".to_string(),
        (true, false) => u.scopes.join(", "),
    }
}

fn admins(users: &[User]) -> usize {
    users.iter().filter(|u| u.role == Role::Admin).count()
}

fn last_admin(name: &str) -> Error {
    Error::input_with_hint(
        format!("`{name}` is the last admin; without one, nobody could manage users or locks"),
        "make someone else an admin first",
    )
}

fn unknown_user(name: &str) -> Error {
    Error::input_with_hint(
        format!("`{name}` is not a user of this database"),
        "`ics user list` shows the users",
    )
}

/// A user or role name: 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
fn checked_name<'a>(name: &'a str, what: &str) -> Result<&'a str, Error> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(name)
    } else {
        Err(Error::input_with_hint(
            format!("`{name}` is not a valid {what}"),
            "use 1 to 64 letters, digits, dots, underscores, hyphens or @, e.g. ana.econ",
        ))
    }
}

/// Scope codes checked against the newest version of the strategy in use: each must name a
/// node or an indicator. Only a reporter or an approver has a scope.
fn checked_scopes(
    cx: &Context,
    store: &mut dyn Storage,
    role: Role,
    scopes: &[String],
) -> Result<Vec<String>, Error> {
    if scopes.is_empty() {
        return Ok(Vec::new());
    }
    if !role.scoped() {
        return Err(Error::input(format!(
            "{} has no scope: --scope is for reporters and approvers",
            if role == Role::Admin {
                "an admin"
            } else {
                "a viewer"
            }
        )));
    }
    store.use_strategy(cx.strategy())?;
    let version = store.resolve_version(None)?;
    let fw = store.framework_lean(&version, crate::store::Targets::None)?;
    let scopes: Vec<String> = scopes.iter().map(|s| s.trim().to_string()).collect();
    let unknown = policy::unknown_scopes(&fw, &scopes);
    if !unknown.is_empty() {
        return Err(Error::input_with_hint(
            format!(
                "{} not a node or indicator of `{}`",
                unknown
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
                    + if unknown.len() == 1 { " is" } else { " are" },
                fw.strategy.code
            ),
            "`ics tree --indicators` lists the codes",
        ));
    }
    Ok(scopes)
}

/// A log entry by `actor` now, about no value.
pub(super) fn entry(
    actor: &Actor,
    action: &str,
    subject: &str,
    detail: String,
    strategy: Option<String>,
) -> LogEntry {
    LogEntry {
        detail,
        ..LogEntry::new(
            &actor.name,
            &now_utc(),
            strategy.as_deref(),
            action,
            subject,
        )
    }
}
