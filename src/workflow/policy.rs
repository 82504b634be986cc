//! Who may do what: who is acting, what their role allows, which indicators their scope
//! covers, and which periods are locked. Every write asks here first; value writes go
//! through a [`Guard`], which checks each value inside the write transaction (so a lock set
//! meanwhile is seen) and names the entry the log will keep.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::guard::Guard;
use super::{Journal, Lock, ReviewState, Role, User};
use crate::error::Error;
use crate::framework::{Framework, Indicator, Settings};
use crate::period::FiscalPeriod;
use crate::store::ValueSink;

/// Who is acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The name the log records.
    pub name: String,
    /// The user, unless the database has none (single-user mode).
    pub user: Option<User>,
}

/// What an action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Record, import, explain or void values (a reporter, in its scope).
    Record,
    /// Approve or return values (an approver, in its scope).
    Review,
    /// Load strategies, manage users, lock and unlock (an admin).
    Admin,
}

impl Need {
    fn doing(self) -> &'static str {
        match self {
            Need::Record => "record, explain or void values",
            Need::Review => "approve or return values",
            Need::Admin => "do this (it needs an admin)",
        }
    }
    fn role(self) -> Role {
        match self {
            Need::Record => Role::Reporter,
            Need::Review => Role::Approver,
            Need::Admin => Role::Admin,
        }
    }
}

/// Who is acting, given the database's users, the name asked for (`--as`, else `ICS_USER`),
/// the operating-system login, and the server role the connection runs as (PostgreSQL).
///
/// With no users, anyone is whoever they say (single-user mode). Otherwise the name must be a
/// user's; and where the server role is mapped to a user (`--db-role`), the connection is that
/// user, and no other user with a mapping can be claimed over it.
pub fn resolve_actor(
    users: &[User],
    asked: Option<&str>,
    login: &str,
    session_role: Option<&str>,
) -> Result<Actor, Error> {
    let asked = asked.map(str::trim).filter(|a| !a.is_empty());
    if users.is_empty() {
        return Ok(Actor {
            name: asked.unwrap_or(login).to_string(),
            user: None,
        });
    }
    let mapped = session_role.and_then(|r| users.iter().find(|u| u.db_role.as_deref() == Some(r)));
    if let Some(u) = mapped {
        if let Some(a) = asked.filter(|a| *a != u.name) {
            return Err(Error::input_with_hint(
                format!(
                    "this connection is the database role `{}`, which is the user `{}`; it cannot act as `{a}`",
                    session_role.unwrap_or_default(),
                    u.name
                ),
                "connect with the database role of the person who acts, or leave --as and ICS_USER out",
            ));
        }
        return Ok(Actor {
            name: u.name.clone(),
            user: Some(u.clone()),
        });
    }
    let name = asked.unwrap_or(login);
    let Some(u) = users.iter().find(|u| u.name == name) else {
        return Err(Error::input_with_hint(
            format!("`{name}` is not a user of this database"),
            "say who you are with --as NAME (or ICS_USER); `ics user list` shows the users, and an admin adds people with `ics user add`",
        ));
    };
    if let (Some(role), Some(session)) = (&u.db_role, session_role) {
        if role != session {
            return Err(Error::input_with_hint(
                format!(
                    "`{name}` connects as the database role `{role}`, and this connection is `{session}`"
                ),
                format!("connect as `{role}` to act as `{name}`"),
            ));
        }
    }
    Ok(Actor {
        name: u.name.clone(),
        user: Some(u.clone()),
    })
}

impl Actor {
    /// Whether the database has no users.
    pub fn single_user(&self) -> bool {
        self.user.is_none()
    }

    /// Refuse unless this actor's role allows `need` (an admin may do everything; in
    /// single-user mode anyone may).
    pub fn require(&self, need: Need) -> Result<(), Error> {
        let Some(u) = &self.user else { return Ok(()) };
        if u.role == Role::Admin || u.role == need.role() {
            return Ok(());
        }
        Err(Error::input_with_hint(
            format!(
                "`{}` is {} and cannot {}",
                u.name,
                with_article(u.role),
                need.doing()
            ),
            format!(
                "an admin can change the role: `ics user set-role {} {}`",
                u.name,
                need.role().as_str()
            ),
        ))
    }
}

fn with_article(role: Role) -> String {
    match role {
        Role::Admin | Role::Approver => format!("an {}", role.as_str()),
        _ => format!("a {}", role.as_str()),
    }
}

/// The codes of the indicators a scope covers: each code names a node (every indicator
/// under it, at any depth) or an indicator.
pub fn scope_indicators(fw: &Framework, scopes: &[String]) -> HashSet<String> {
    let scopes: HashSet<&str> = scopes.iter().map(String::as_str).collect();
    // Nodes come parents first: one pass marks every node inside a scope node.
    let mut inside: HashSet<&str> = HashSet::new();
    for n in &fw.nodes {
        if scopes.contains(n.code.as_str())
            || n.parent.as_deref().is_some_and(|p| inside.contains(p))
        {
            inside.insert(&n.code);
        }
    }
    fw.indicators()
        .filter(|(node, ind)| {
            inside.contains(node.code.as_str()) || scopes.contains(ind.code.as_str())
        })
        .map(|(_, ind)| ind.code.clone())
        .collect()
}

/// The scope codes that name neither a node nor an indicator of `fw`.
pub fn unknown_scopes<'s>(fw: &Framework, scopes: &'s [String]) -> Vec<&'s str> {
    scopes
        .iter()
        .filter(|s| fw.node(s).is_none() && !fw.indicators().any(|(_, i)| i.code == **s))
        .map(String::as_str)
        .collect()
}

/// The lock that covers `p`, if any: a lock set with `ics lock`, else the framework's
/// `lock_after_days` (a period locks itself that many days after it ends).
pub fn lock_on(
    locks: &[Lock],
    lock_after_days: Option<u32>,
    today: NaiveDate,
    p: FiscalPeriod,
) -> Option<Lock> {
    if let Some(l) = locks.iter().find(|l| l.covers(p)) {
        return Some(l.clone());
    }
    let days = lock_after_days?;
    let from = p.end() + chrono::Days::new(u64::from(days));
    (today > from).then(|| Lock {
        period: p,
        through: false,
        set_by: format!("the framework's `lock_after_days = {days}`"),
        set_at: format!("{from}"),
        reason: None,
    })
}

/// The refusal for a write to `p` under `lock`.
pub fn locked_error(p: FiscalPeriod, lock: &Lock) -> Error {
    let when = lock.set_at.get(..10).unwrap_or(&lock.set_at);
    let why = lock
        .reason
        .as_deref()
        .map_or_else(String::new, |r| format!(": {r}"));
    let message = if lock.period == p && !lock.through {
        format!("{p} is locked (by {} on {when}{why})", lock.set_by)
    } else {
        format!(
            "{p} is locked: {} is locked (by {} on {when}{why})",
            lock.what(),
            lock.set_by
        )
    };
    let hint = if lock.set_by.starts_with("the framework") {
        "a period locked by `lock_after_days` opens again only if a new framework version raises it"
            .to_string()
    } else {
        format!(
            "an admin can unlock it: `ics unlock {}{} --reason TEXT`",
            if lock.through { "--through " } else { "" },
            lock.period
        )
    };
    Error::input_with_hint(format!("{message}; nothing was changed"), hint)
}

/// The targets a new version would change in locked periods: (indicator code, period), for
/// every target added, removed or changed there.
pub fn locked_target_changes(
    old: &Framework,
    new: &Framework,
    locks: &[Lock],
    lock_after_days: Option<u32>,
    today: NaiveDate,
) -> Vec<(String, FiscalPeriod, Lock)> {
    let targets = |fw: &Framework| -> HashMap<String, Indicator> {
        fw.indicators()
            .map(|(_, i)| (i.code.clone(), i.clone()))
            .collect()
    };
    let (before, after) = (targets(old), targets(new));
    let mut out = Vec::new();
    let mut codes: Vec<&String> = before.keys().chain(after.keys()).collect();
    codes.sort();
    codes.dedup();
    for code in codes {
        let empty = Default::default();
        let a = before.get(code).map_or(&empty, |i| &i.targets);
        let b = after.get(code).map_or(&empty, |i| &i.targets);
        let mut periods: Vec<&FiscalPeriod> = a.keys().chain(b.keys()).collect();
        periods.sort();
        periods.dedup();
        for p in periods {
            if a.get(p) != b.get(p) {
                if let Some(l) = lock_on(locks, lock_after_days, today, *p) {
                    out.push((code.clone(), *p, l));
                }
            }
        }
    }
    out
}

/// What one command may write: the actor, the indicators in its scope, the review setting
/// and the automatic lock of the strategy in use.
pub struct Policy {
    pub actor: Actor,
    /// The strategy in use.
    pub strategy: String,
    /// Whether values wait for approval (`[settings] review`).
    pub review: bool,
    pub lock_after_days: Option<u32>,
    pub today: NaiveDate,
    /// The indicator ids the actor's scope covers; `None` for all.
    allowed: Option<HashSet<i64>>,
    /// Indicator codes by id, for messages.
    codes: HashMap<i64, String>,
}

impl Policy {
    /// The policy for `actor` doing `need` on the strategy `strategy`, whose newest version
    /// has `settings`. Refuses at once if the role does not allow `need`. A scoped actor
    /// needs [`Policy::with_scope`] too.
    pub fn new(
        actor: Actor,
        need: Need,
        strategy: &str,
        settings: &Settings,
        today: NaiveDate,
    ) -> Result<Policy, Error> {
        actor.require(need)?;
        Ok(Policy {
            actor,
            strategy: strategy.to_string(),
            review: settings.review,
            lock_after_days: settings.lock_after_days,
            today,
            allowed: None,
            codes: HashMap::new(),
        })
    }

    /// Whether the actor's scope limits what it may touch (then [`Policy::with_scope`]).
    pub fn scoped(actor: &Actor) -> bool {
        actor
            .user
            .as_ref()
            .is_some_and(|u| u.role != Role::Admin && !u.scopes.is_empty())
    }

    /// Limit the policy to the indicators of the actor's scope in `fw` (the newest version),
    /// whose ids are `ids`.
    pub fn with_scope(mut self, fw: &Framework, ids: &HashMap<String, i64>) -> Policy {
        if let Some(u) = self
            .actor
            .user
            .as_ref()
            .filter(|_| Policy::scoped(&self.actor))
        {
            self.allowed = Some(
                scope_indicators(fw, &u.scopes)
                    .iter()
                    .filter_map(|c| ids.get(c).copied())
                    .collect(),
            );
            self.codes = ids.iter().map(|(c, i)| (*i, c.clone())).collect();
        }
        self
    }

    /// The log entry for the values a command writes: by the actor, now; with review on,
    /// they are submitted.
    pub fn journal(&self, action: &str, subject: impl Into<String>) -> Journal {
        let mut j = Journal::new(&self.actor.name, action, subject);
        if self.review {
            j.state = ReviewState::Submitted;
        }
        j
    }

    /// Refuse a value of indicator `id` outside the actor's scope.
    pub fn check_scope(&self, id: i64) -> Result<(), Error> {
        let Some(allowed) = &self.allowed else {
            return Ok(());
        };
        if allowed.contains(&id) {
            return Ok(());
        }
        let code = self.codes.get(&id).map_or("?", String::as_str);
        let (name, scopes) = match &self.actor.user {
            Some(u) => (u.name.as_str(), u.scopes.join(", ")),
            None => ("", String::new()),
        };
        Err(Error::input_with_hint(
            format!("`{code}` is outside the scope of `{name}` ({scopes}); nothing was changed"),
            format!(
                "an admin can widen the scope: `ics user set-role {name} ROLE --scope CODE ...`"
            ),
        ))
    }

    /// Start the guarded writes of one transaction: the journal goes to the sink, the locks
    /// are read inside the transaction.
    pub fn guard<'a>(
        &'a self,
        sink: &'a mut dyn ValueSink,
        journal: &Journal,
    ) -> Result<Guard<'a>, Error> {
        sink.journal(journal);
        let locks = sink.locks(&self.strategy)?;
        Ok(Guard {
            sink,
            policy: self,
            locks,
        })
    }
}

#[cfg(test)]
mod tests;
