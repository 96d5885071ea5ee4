//! Reports kept in memory until the tickets change. A report sums the rollups over agents ×
//! days, milliseconds at a million tickets; the same range asked again while no ticket has
//! changed gets the same sums. Whether anything changed is one read of two keys' ends
//! (`Store::report_inputs`: the newest live event, which every ticket change writes in its
//! transaction, and the newest ticket), so a change made through any instance is seen by every
//! other at once: a kept report is never older than the last committed change.
//!
//! The agents come from that same read each time: a rename or a deactivation shows at once,
//! and a different set of agents (one added, removed, or given the role) is computed afresh.

use super::ReportInputs;
use crate::domain::{AgentPerformance, Report};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many ranges are kept (each is at most 366 days and the agents: tens of KB).
pub const KEPT_RANGES: usize = 32;

#[derive(Debug, Default, Clone)]
pub struct ReportMemo {
    kept: Arc<Mutex<HashMap<(NaiveDate, NaiveDate), Kept>>>,
}

#[derive(Debug)]
struct Kept {
    version: (i64, i64),
    report: Arc<Report>,
    /// When it was stored (a counter): the oldest goes first when the memo is full.
    stored: u64,
}

impl ReportMemo {
    /// The kept report of `from..=to`, if nothing changed since it was computed and it lists
    /// the same agents, with their names and activity as `inputs` has them now.
    pub fn get(&self, from: NaiveDate, to: NaiveDate, inputs: &ReportInputs) -> Option<Report> {
        let report = {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            let k = kept.get(&(from, to)).filter(|k| k.version == inputs.version)?;
            Arc::clone(&k.report)
        };
        let mut sums: HashMap<i64, &AgentPerformance> = report.agents.iter().map(|a| (a.agent_id, a)).collect();
        if sums.len() != inputs.agents.len() {
            return None;
        }
        let agents = inputs
            .agents
            .iter()
            .map(|(id, name, active)| {
                sums.remove(id).map(|a| AgentPerformance { agent_name: name.clone(), is_active: *active, ..a.clone() })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Report { agents, ..Report::clone(&report) })
    }

    /// Keeps `report` for its range, as computed after reading `version`: a change committed
    /// while it was computed has a newer version, so the next ask computes it again.
    pub fn put(&self, version: (i64, i64), report: &Report) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let stored = kept.values().map(|k| k.stored + 1).max().unwrap_or(0);
        if kept.len() >= KEPT_RANGES && !kept.contains_key(&(report.from, report.to)) {
            if let Some(oldest) = kept.iter().min_by_key(|(_, k)| k.stored).map(|(key, _)| *key) {
                kept.remove(&oldest);
            }
        }
        kept.insert((report.from, report.to), Kept { version, report: Arc::new(report.clone()), stored });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::StatusCounts;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn agent(id: i64, name: &str, assigned: i64) -> AgentPerformance {
        AgentPerformance { agent_id: id, agent_name: name.into(), is_active: true, assigned, resolved: 1, open: assigned - 1, avg_resolution_hours: Some(2.0) }
    }

    fn report(from: u32, to: u32, total: i64) -> Report {
        Report {
            from: day(from),
            to: day(to),
            total,
            by_status: StatusCounts { total, open: total, ..Default::default() },
            by_priority: vec![("high".into(), total)],
            by_category: vec![],
            per_day: vec![],
            avg_resolution_hours: None,
            agents: vec![agent(3, "Ann", 5), agent(7, "Bob", 2)],
            sla_closed: 0,
            sla_met: 0,
        }
    }

    fn inputs(version: (i64, i64), agents: &[(i64, &str, bool)]) -> ReportInputs {
        ReportInputs { version, agents: agents.iter().map(|(id, n, a)| (*id, n.to_string(), *a)).collect() }
    }

    #[test]
    fn a_kept_report_serves_only_its_range_while_nothing_changed() {
        let memo = ReportMemo::default();
        let now = inputs((10, 4), &[(3, "Ann", true), (7, "Bob", true)]);
        assert_eq!(memo.get(day(1), day(30), &now), None, "nothing kept yet");
        memo.put((10, 4), &report(1, 30, 9));
        assert_eq!(memo.get(day(1), day(30), &now), Some(report(1, 30, 9)));
        assert_eq!(memo.get(day(2), day(30), &now), None, "another range");
        assert_eq!(memo.get(day(1), day(30), &inputs((11, 4), &[(3, "Ann", true), (7, "Bob", true)])), None, "a ticket changed");
        assert_eq!(memo.get(day(1), day(30), &inputs((10, 5), &[(3, "Ann", true), (7, "Bob", true)])), None, "a ticket was added");
    }

    #[test]
    fn the_agents_are_named_and_ordered_as_they_are_now_and_another_set_is_computed_afresh() {
        let memo = ReportMemo::default();
        memo.put((1, 1), &report(1, 30, 9));
        let renamed = memo.get(day(1), day(30), &inputs((1, 1), &[(7, "Abe", false), (3, "Ann", true)])).expect("kept");
        let names: Vec<_> = renamed.agents.iter().map(|a| (a.agent_id, a.agent_name.as_str(), a.is_active, a.assigned)).collect();
        assert_eq!(names, [(7, "Abe", false, 2), (3, "Ann", true, 5)]);
        for other in [&[(3, "Ann", true)][..], &[(3, "Ann", true), (7, "Bob", true), (9, "Cy", true)], &[(3, "Ann", true), (8, "Bob", true)]] {
            assert_eq!(memo.get(day(1), day(30), &inputs((1, 1), other)), None, "{other:?}");
        }
    }

    #[test]
    fn a_full_memo_lets_its_oldest_range_go() {
        let memo = ReportMemo::default();
        let now = inputs((1, 1), &[(3, "Ann", true), (7, "Bob", true)]);
        let ranges: Vec<(NaiveDate, NaiveDate)> = (0..=KEPT_RANGES as u64)
            .map(|n| (day(1) - chrono::Days::new(n), day(30)))
            .collect();
        for (from, to) in &ranges {
            memo.put((1, 1), &Report { from: *from, to: *to, ..report(1, 30, 1) });
        }
        assert_eq!(memo.kept.lock().unwrap().len(), KEPT_RANGES);
        assert_eq!(memo.get(ranges[0].0, ranges[0].1, &now), None, "the first stored went");
        for (from, to) in &ranges[1..] {
            assert!(memo.get(*from, *to, &now).is_some(), "{from}..{to}");
        }
    }
}
