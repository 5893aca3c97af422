//! The organization registry: events are the source of truth; versions and successions are
//! derived from them and rewritten in the same transaction as each event.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use futures_util::TryStreamExt;
use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::{Acquire, Row};
use thidua_core::date::iso;
use thidua_core::org::{
    current_successors, EventId, OrgChange, OrgError, OrgEvent, OrgId, OrgKind, OrgVersion, Registry, Succession,
    SuccessionKind,
};

use crate::bulk::{insert_rows, Cell};
use crate::db::{date_col, opt_date_col, Backend, Store, StoreError, Tx};
use crate::members::placeholders;

/// The registry as of its newest event `head`: every version, every succession, and the tree of
/// the last date asked for (children by parent). Pages ask for these many times each.
pub(crate) struct VersionCache {
    head: i64,
    /// When `head` was last read, and the store's count of registry commits before that read.
    /// For `HEAD_FRESH` after it, and while no commit of this server's has changed the registry
    /// since, `head` is taken as still the newest event: a page asks half a dozen times. Another
    /// server's changes show within that time.
    checked: std::time::Instant,
    generation: u64,
    versions: Arc<Vec<OrgVersion>>,
    successions: Arc<Vec<Succession>>,
    children: Option<(Date, Arc<Children>)>,
}

/// How long the registry's newest event, once read, is taken as still the newest.
const HEAD_FRESH: std::time::Duration = std::time::Duration::from_millis(250);

/// The organizations below each parent on one date.
pub type Children = HashMap<OrgId, Vec<OrgId>>;

/// The history and its replay, held by a transaction that writes to the registry.
pub(crate) struct OrgWriter {
    history: Vec<OrgEvent>,
    registry: Registry,
}

/// The versions of `org` among `all`, which the cache keeps in order of organization and start:
/// found by halving rather than by a map built for each question, which took a quarter of a
/// unit officer's requests over a nation's 300,000 organizations.
fn versions_of(all: &[OrgVersion], org: OrgId) -> &[OrgVersion] {
    let start = all.partition_point(|v| v.org < org);
    let len = all[start..].partition_point(|v| v.org == org);
    &all[start..start + len]
}

const VERSION_COLUMNS: &str = "org_id, valid_from, valid_to, kind, name, short_name, parent_id, event_id";

fn version_from_row(row: &AnyRow) -> Result<OrgVersion, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(OrgVersion {
        org: OrgId(row.try_get("org_id")?),
        valid_from: date_col(row, "valid_from")?,
        valid_to: opt_date_col(row, "valid_to")?,
        kind: OrgKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("unknown org kind {kind:?}")))?,
        name: row.try_get("name")?,
        short_name: row.try_get("short_name")?,
        parent: row.try_get::<Option<i64>, _>("parent_id")?.map(OrgId),
        event: EventId(row.try_get("event_id")?),
    })
}

fn succession_from_row(row: &AnyRow) -> Result<Succession, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(Succession {
        predecessor: OrgId(row.try_get("predecessor_id")?),
        successor: OrgId(row.try_get("successor_id")?),
        date: date_col(row, "effective_on")?,
        kind: SuccessionKind::from_code(&kind).ok_or_else(|| StoreError::Corrupt(format!("unknown succession {kind:?}")))?,
        event: EventId(row.try_get("event_id")?),
    })
}

fn event_from_row(row: &AnyRow) -> Result<OrgEvent, StoreError> {
    let payload: String = row.try_get("payload")?;
    let change = serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(format!("event payload: {e}")))?;
    Ok(OrgEvent { id: EventId(row.try_get("id")?), date: date_col(row, "effective_on")?, change, basis: row.try_get("basis")? })
}

impl Tx {
    async fn org_writer(&mut self) -> Result<&mut OrgWriter, StoreError> {
        if self.orgs.is_none() {
            if self.backend == Backend::Postgres {
                // One registry writer at a time; readers are not blocked.
                sqlx::query("LOCK TABLE org_event IN EXCLUSIVE MODE").execute(&mut *self.tx).await?;
            }
            let rows = sqlx::query("SELECT id, effective_on, payload, basis FROM org_event ORDER BY effective_on, id")
                .fetch_all(&mut *self.tx)
                .await?;
            let history = rows.iter().map(event_from_row).collect::<Result<Vec<_>, _>>()?;
            let registry = Registry::replay(&history)
                .map_err(|(id, e)| StoreError::Corrupt(format!("recorded event {} no longer replays: {e}", id.0)))?;
            self.orgs = Some(OrgWriter { history, registry });
        }
        self.orgs.as_mut().ok_or_else(|| StoreError::Corrupt("registry not loaded".into()))
    }

    /// Records one event: allocates ids for the organizations it creates, checks it against the
    /// whole history, and rewrites the versions and successions it changes. A refused event leaves
    /// the transaction as it was.
    pub async fn record_org_event(
        &mut self,
        date: Date,
        change: OrgChange<()>,
        basis: Option<String>,
    ) -> Result<OrgEvent, StoreError> {
        let mut events = self.record_org_events(vec![(date, change, basis)]).await?;
        events.pop().ok_or_else(|| StoreError::Corrupt("no event recorded".into()))
    }

    /// Records several events in their order, as many calls of `record_org_event` would, with the
    /// registry copied once and versions written many rows per statement: a whole tree loads in
    /// time that grows with its size. The first refused event refuses them all.
    pub async fn record_org_events(&mut self, changes: Vec<(Date, OrgChange<()>, Option<String>)>) -> Result<Vec<OrgEvent>, StoreError> {
        self.org_writer().await?;
        let Tx { tx, orgs, .. } = self;
        let writer = orgs.as_mut().ok_or_else(|| StoreError::Corrupt("registry not loaded".into()))?;
        let mut sp = tx.begin().await?;

        let recorded_at = jiff::Timestamp::now().to_string();
        let mut created = BTreeSet::new();
        let mut events = Vec::with_capacity(changes.len());
        for (date, change, basis) in changes {
            let mut ids = Vec::new();
            for _ in 0..change.new_org_count() {
                let row = sqlx::query("INSERT INTO org (note) VALUES (NULL) RETURNING id").fetch_one(&mut *sp).await?;
                ids.push(OrgId(row.try_get(0)?));
            }
            let change = change.with_ids(&mut ids.iter().copied()).ok_or_else(|| StoreError::Corrupt("id count".into()))?;
            created.extend(ids);
            for id in change.orgs() {
                if !created.contains(&id) && writer.registry.versions(id).is_empty() {
                    return Err(OrgError::Unknown(id).into());
                }
            }
            let basis = basis.map(|b| b.trim().to_owned()).filter(|b| !b.is_empty());
            let payload = serde_json::to_string(&change).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let row = sqlx::query(
                "INSERT INTO org_event (effective_on, kind, payload, basis, recorded_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(iso(date))
            .bind(change.kind_code())
            .bind(payload)
            .bind(basis.clone())
            .bind(recorded_at.as_str())
            .fetch_one(&mut *sp)
            .await?;
            events.push(OrgEvent { id: EventId(row.try_get(0)?), date, change, basis });
        }

        let (next, applied) = writer.registry.record_all(&writer.history, &events).map_err(|(_, e)| StoreError::from(e))?;

        let changed: Vec<i64> = applied.orgs.iter().map(|o| o.0).collect();
        for chunk in changed.chunks(500) {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM org_version WHERE org_id IN ({})", placeholders(1, chunk.len()))));
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *sp).await?;
        }
        let versions: Vec<Vec<Cell>> = applied
            .orgs
            .iter()
            .flat_map(|org| next.versions(*org))
            .map(|v| {
                vec![
                    v.org.0.into(),
                    iso(v.valid_from).into(),
                    v.valid_to.map(iso).into(),
                    v.kind.code().into(),
                    v.name.as_str().into(),
                    v.short_name.clone().into(),
                    v.parent.map(|p| p.0).into(),
                    v.event.0.into(),
                ]
            })
            .collect();
        insert_rows(&mut sp, "org_version", &VERSION_COLUMNS.split(", ").collect::<Vec<_>>(), &versions).await?;
        for s in &applied.dropped_successions {
            sqlx::query("DELETE FROM org_succession WHERE predecessor_id = $1 AND successor_id = $2 AND event_id = $3")
                .bind(s.predecessor.0)
                .bind(s.successor.0)
                .bind(s.event.0)
                .execute(&mut *sp)
                .await?;
        }
        let successions: Vec<Vec<Cell>> = applied
            .successions
            .iter()
            .map(|s| vec![s.predecessor.0.into(), s.successor.0.into(), iso(s.date).into(), s.kind.code().into(), s.event.0.into()])
            .collect();
        insert_rows(&mut sp, "org_succession", &["predecessor_id", "successor_id", "effective_on", "kind", "event_id"], &successions).await?;
        // What each event is about, and the subordinates a merge moved along.
        let batch: BTreeSet<EventId> = events.iter().map(|e| e.id).collect();
        let mut named: BTreeSet<(i64, i64)> = events.iter().flat_map(|e| e.change.subjects().into_iter().map(|o| (e.id.0, o.0))).collect();
        for org in &applied.orgs {
            named.extend(next.versions(*org).iter().filter(|v| batch.contains(&v.event)).map(|v| (v.event.0, v.org.0)));
        }
        let named: Vec<Vec<Cell>> = named.into_iter().map(|(e, o)| vec![e.into(), o.into()]).collect();
        insert_rows(&mut sp, "org_event_org", &["event_id", "org_id"], &named).await?;
        sp.commit().await?;
        writer.history.extend(events.iter().cloned());
        writer.registry = next;
        Ok(events)
    }

    /// A free note on an organization, e.g. that its name is illustrative.
    pub async fn set_org_note(&mut self, org: OrgId, note: Option<&str>) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE org SET note = $1 WHERE id = $2").bind(note).bind(org.0).execute(&mut *self.tx).await?;
        if done.rows_affected() == 0 {
            return Err(OrgError::Unknown(org).into());
        }
        Ok(())
    }
}

impl Store {
    /// The versions live on `date`: the tree as it stood that day.
    pub async fn orgs_on(&self, date: Date) -> Result<Vec<OrgVersion>, StoreError> {
        Ok(self.all_versions().await?.iter().filter(|v| v.is_live_on(date)).cloned().collect())
    }

    /// The version live on `date` of each of `orgs` (those not live then are left out).
    pub async fn versions_on(&self, orgs: impl IntoIterator<Item = OrgId>, date: Date) -> Result<Vec<OrgVersion>, StoreError> {
        let all = self.all_versions().await?;
        Ok(orgs.into_iter().filter_map(|o| versions_of(&all, o).iter().find(|v| v.is_live_on(date)).cloned()).collect())
    }

    /// Each organization live on `date` with its parent then: the day's tree without the names,
    /// for walking subtrees (nothing of the cached versions is copied but ids).
    pub async fn org_parents_on(&self, date: Date) -> Result<Vec<(OrgId, Option<OrgId>)>, StoreError> {
        Ok(self.all_versions().await?.iter().filter(|v| v.is_live_on(date)).map(|v| (v.org, v.parent)).collect())
    }

    /// The latest version of one organization; `None` for an unknown id.
    pub async fn latest_version(&self, org: OrgId) -> Result<Option<OrgVersion>, StoreError> {
        Ok(versions_of(&self.all_versions().await?, org).last().cloned())
    }

    /// The latest name of each of `orgs` (unknown ids are left out).
    pub async fn latest_names(&self, orgs: &BTreeSet<OrgId>) -> Result<HashMap<OrgId, String>, StoreError> {
        Ok(self.latest_versions(orgs).await?.into_iter().map(|(org, v)| (org, v.name)).collect())
    }

    /// The latest version of each of `orgs` (unknown ids are left out).
    pub async fn latest_versions(&self, orgs: &BTreeSet<OrgId>) -> Result<HashMap<OrgId, OrgVersion>, StoreError> {
        let all = self.all_versions().await?;
        Ok(orgs.iter().filter_map(|o| versions_of(&all, *o).last().map(|v| (*o, v.clone()))).collect())
    }

    /// Every version, in order of organization and start (see `versions_of`), read again only
    /// when the registry has a newer event than those read last: most pages need the day's tree,
    /// and reading it takes tens of milliseconds at a province.
    /// The newest event is asked of the database (see `VersionCache` for how often), so several
    /// servers over one database stay in step; versions change only with an event, in its
    /// transaction.
    async fn all_versions(&self) -> Result<Arc<Vec<OrgVersion>>, StoreError> {
        Ok(self.registry_head().await?.1)
    }

    /// The registry's newest event with the versions as of it, read again only when it moved.
    async fn registry_head(&self) -> Result<(i64, Arc<Vec<OrgVersion>>), StoreError> {
        // Read before the head: a commit during the read leaves the answer stale at once.
        let generation = self.registry_generation.load(std::sync::atomic::Ordering::Acquire);
        if let Ok(cache) = self.versions.lock()
            && let Some(c) = cache.as_ref()
            && c.generation == generation
            && c.checked.elapsed() < HEAD_FRESH
        {
            return Ok((c.head, c.versions.clone()));
        }
        let asked = std::time::Instant::now();
        let head: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) FROM org_event").fetch_one(&self.pool).await?.try_get(0)?;
        if let Ok(mut cache) = self.versions.lock()
            && let Some(c) = cache.as_mut()
            && c.head == head
        {
            (c.checked, c.generation) = (asked, generation);
            return Ok((head, c.versions.clone()));
        }
        // Decoded as they arrive: a nation's 300,000 rows held at once as driver rows took 300 MB.
        let mut versions = Vec::new();
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {VERSION_COLUMNS} FROM org_version"))).fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            versions.push(version_from_row(&row)?);
        }
        drop(rows);
        versions.sort_by_key(|v| (v.org, v.valid_from));
        let versions = Arc::new(versions);
        let rows = sqlx::query("SELECT predecessor_id, successor_id, effective_on, kind, event_id FROM org_succession").fetch_all(&self.pool).await?;
        let successions = Arc::new(rows.iter().map(succession_from_row).collect::<Result<Vec<_>, _>>()?);
        if let Ok(mut cache) = self.versions.lock() {
            *cache = Some(VersionCache { head, checked: asked, generation, versions: versions.clone(), successions, children: None });
        }
        Ok((head, versions))
    }

    /// The organizations live on `date` below each parent.
    pub async fn org_children_on(&self, date: Date) -> Result<Arc<Children>, StoreError> {
        let (head, versions) = self.registry_head().await?;
        if let Ok(cache) = self.versions.lock()
            && let Some(c) = cache.as_ref()
            && c.head == head
            && let Some((on, children)) = &c.children
            && *on == date
        {
            return Ok(children.clone());
        }
        let mut children = Children::new();
        for v in versions.iter().filter(|v| v.is_live_on(date)) {
            if let Some(parent) = v.parent {
                children.entry(parent).or_default().push(v.org);
            }
        }
        let children = Arc::new(children);
        if let Ok(mut cache) = self.versions.lock()
            && let Some(c) = cache.as_mut()
            && c.head == head
        {
            c.children = Some((date, children.clone()));
        }
        Ok(children)
    }

    /// Every version of one organization, oldest first; empty for an unknown id.
    pub async fn org_history(&self, org: OrgId) -> Result<Vec<OrgVersion>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM org_version WHERE org_id = $1 ORDER BY valid_from"
        )))
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(version_from_row).collect()
    }

    /// The latest version of every organization (its current or final state).
    pub async fn orgs_latest(&self) -> Result<Vec<OrgVersion>, StoreError> {
        let all = self.all_versions().await?;
        Ok(all.chunk_by(|a, b| a.org == b.org).filter_map(|versions| versions.last().cloned()).collect())
    }

    pub async fn org_note(&self, org: OrgId) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT note FROM org WHERE id = $1").bind(org.0).fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(r) => r.try_get(0)?,
            None => None,
        })
    }

    /// The events about an organization, in date order.
    pub async fn org_events(&self, org: OrgId) -> Result<Vec<OrgEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.id, e.effective_on, e.payload, e.basis FROM org_event e \
             JOIN org_event_org x ON x.event_id = e.id WHERE x.org_id = $1 ORDER BY e.effective_on, e.id",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// The distinct days on which events took effect, oldest first.
    pub async fn org_event_dates(&self) -> Result<Vec<Date>, StoreError> {
        let rows = sqlx::query("SELECT DISTINCT effective_on FROM org_event ORDER BY effective_on").fetch_all(&self.pool).await?;
        rows.iter().map(|r| date_col(r, "effective_on")).collect()
    }

    pub async fn org_event_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT count(*) FROM org_event").fetch_one(&self.pool).await?;
        Ok(row.try_get(0)?)
    }

    /// The organization and its ancestors on `date`, nearest first; empty if it was not live then.
    pub async fn org_chain_on(&self, org: OrgId, date: Date) -> Result<Vec<OrgId>, StoreError> {
        let rows = sqlx::query(
            "WITH RECURSIVE chain(id, depth) AS ( \
                 SELECT org_id, 0 FROM org_version WHERE org_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2) \
                 UNION ALL SELECT v.parent_id, c.depth + 1 FROM org_version v JOIN chain c ON v.org_id = c.id \
                 WHERE v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2) AND v.parent_id IS NOT NULL AND c.depth < 64) \
             SELECT id FROM chain ORDER BY depth",
        )
        .bind(org.0)
        .bind(iso(date))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(OrgId(r.try_get(0)?))).collect()
    }

    /// How many organizations are live now (their latest version has no end).
    pub(crate) async fn current_org_count(&self) -> Result<usize, StoreError> {
        Ok(self.all_versions().await?.iter().filter(|v| v.valid_to.is_none()).count())
    }

    /// Each of `orgs` with its ancestors (nearest first) as of `date`, or as of its last day for
    /// one not live then, as `org_chain_on` gives them; unknown ids are left out. From the
    /// registry held in memory, for lists whose items are checked one by one.
    pub async fn org_chains(&self, orgs: &BTreeSet<OrgId>, date: Date) -> Result<HashMap<OrgId, Vec<OrgId>>, StoreError> {
        let wanted: BTreeSet<(OrgId, Date)> = orgs.iter().map(|o| (*o, date)).collect();
        Ok(self.org_chains_each(&wanted).await?.into_iter().map(|((org, _), chain)| (org, chain)).collect())
    }

    /// As `org_chains`, each organization on a day of its own: rows of a list that each name
    /// their date (a transfer's day of introduction).
    pub async fn org_chains_each(&self, wanted: &BTreeSet<(OrgId, Date)>) -> Result<HashMap<(OrgId, Date), Vec<OrgId>>, StoreError> {
        let all = self.all_versions().await?;
        let live_on = |org: OrgId, day: Date| versions_of(&all, org).iter().find(|v| v.is_live_on(day));
        let mut out = HashMap::new();
        for &(org, date) in wanted {
            let versions = versions_of(&all, org);
            let Some(last) = versions.last() else { continue };
            let day = if versions.iter().any(|v| v.is_live_on(date)) {
                date
            } else {
                last.valid_to.and_then(|t| t.yesterday().ok()).unwrap_or(last.valid_from)
            };
            let mut chain = Vec::new();
            let mut at = live_on(org, day).map(|v| (v.org, v.parent));
            while let Some((id, parent)) = at {
                chain.push(id);
                at = match parent {
                    Some(p) if chain.len() <= 64 => Some((p, live_on(p, day).and_then(|v| v.parent))),
                    _ => None,
                };
            }
            out.insert((org, date), chain);
        }
        Ok(out)
    }

    /// The successor relations reachable from `org` in either direction, transitively.
    pub async fn org_lineage(&self, org: OrgId) -> Result<Vec<Succession>, StoreError> {
        let rows = sqlx::query(
            "WITH RECURSIVE back(id) AS ( \
                 SELECT CAST($1 AS BIGINT) \
                 UNION SELECT s.predecessor_id FROM org_succession s JOIN back ON s.successor_id = back.id), \
             fwd(id) AS ( \
                 SELECT CAST($1 AS BIGINT) \
                 UNION SELECT s.successor_id FROM org_succession s JOIN fwd ON s.predecessor_id = fwd.id) \
             SELECT predecessor_id, successor_id, effective_on, kind, event_id FROM org_succession \
             WHERE successor_id IN (SELECT id FROM back) OR predecessor_id IN (SELECT id FROM fwd)",
        )
        .bind(org.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(succession_from_row).collect()
    }

    /// Every succession recorded: few (one per organization merged, split or renamed into
    /// another), read at once by walks over many organizations.
    pub async fn successions(&self) -> Result<Arc<Vec<Succession>>, StoreError> {
        let (head, _) = self.registry_head().await?;
        if let Ok(cache) = self.versions.lock()
            && let Some(c) = cache.as_ref()
            && c.head == head
        {
            return Ok(c.successions.clone());
        }
        // The registry moved on between the two reads (a change here or on another server):
        // read them directly.
        let rows = sqlx::query("SELECT predecessor_id, successor_id, effective_on, kind, event_id FROM org_succession").fetch_all(&self.pool).await?;
        Ok(Arc::new(rows.iter().map(succession_from_row).collect::<Result<Vec<_>, _>>()?))
    }

    /// Where a record addressed to `org` belongs on `date`: itself while live, else its nearest
    /// live successors.
    pub async fn org_successors_on(&self, org: OrgId, date: Date) -> Result<Vec<OrgId>, StoreError> {
        let lineage = self.org_lineage(org).await?;
        let mut candidates: BTreeSet<OrgId> = lineage.iter().map(|s| s.successor).collect();
        candidates.insert(org);
        let mut live = BTreeSet::new();
        for id in candidates {
            let row = sqlx::query(
                "SELECT 1 FROM org_version WHERE org_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)",
            )
            .bind(id.0)
            .bind(iso(date))
            .fetch_optional(&self.pool)
            .await?;
            if row.is_some() {
                live.insert(id);
            }
        }
        Ok(current_successors(&lineage, |id| live.contains(&id), org))
    }
}
