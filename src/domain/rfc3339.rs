//! Times on the wire, as RFC 3339 text (`2026-12-07T04:28:00Z`): written as chrono writes them,
//! read by chrono's RFC 3339 parser (`DateTime::parse_from_rfc3339`) instead of its `FromStr`,
//! which `DateTime`'s own `Deserialize` uses. `FromStr` drives chrono's general format parser
//! (format items, RFC 2822, the `Parsed` resolver), which every page showing a time carried into
//! the browser: about 14 KB of WASM before compression. What it accepts beyond RFC 3339 (spaces
//! around the separators) is nothing we or an OpenAPI `date-time` ever write.
//!
//! Used as `#[serde(with = "rfc3339")]`, `rfc3339::option` with `#[serde(default)]`, and
//! `rfc3339::day` for a calendar day (`2026-12-07`), read by `day::parse` for the same reason.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{de::Error as _, Deserialize, Deserializer, Serialize, Serializer};

pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    at.serialize(serializer)
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    parse(&String::deserialize(deserializer)?).map_err(D::Error::custom)
}

fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|at| at.with_timezone(&Utc))
}

/// The same for an optional time (`null` or absent: none).
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
        at.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(deserializer)?.map(|text| parse(&text).map_err(D::Error::custom)).transpose()
    }
}

/// A calendar day, `YYYY-MM-DD` (month and day may have one digit, as chrono's `%Y-%m-%d` allows).
pub mod day {
    use super::*;

    pub fn serialize<S: Serializer>(day: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        day.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text).ok_or_else(|| D::Error::custom(format!("{text:?} is not a day like 2026-12-07")))
    }

    /// The day `text` names, if it is one.
    pub fn parse(text: &str) -> Option<NaiveDate> {
        let mut parts = text.split('-');
        let mut number = |digits: std::ops::RangeInclusive<usize>| -> Option<u32> {
            let part = parts.next()?;
            (digits.contains(&part.len()) && part.bytes().all(|c| c.is_ascii_digit())).then(|| part.parse().ok())?
        };
        let (year, month, day) = (number(4..=4)?, number(1..=2)?, number(1..=2)?);
        if parts.next().is_some() {
            return None;
        }
        NaiveDate::from_ymd_opt(year as i32, month, day)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, TimeZone, Utc};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Times {
        #[serde(with = "super")]
        at: DateTime<Utc>,
        #[serde(with = "super::option", default)]
        due: Option<DateTime<Utc>>,
    }

    #[test]
    fn times_read_back_what_chrono_writes_and_what_rfc_3339_allows() {
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 4, 28, 0).unwrap() + chrono::Duration::microseconds(123_456);
        for times in [Times { at, due: Some(at) }, Times { at, due: None }] {
            let json = serde_json::to_value(&times).unwrap();
            // The same text as chrono's own Serialize: the wire format does not change.
            assert_eq!(json["at"], serde_json::to_value(at).unwrap());
            assert_eq!(json["due"], serde_json::to_value(times.due).unwrap());
            assert_eq!(serde_json::from_value::<Times>(json).unwrap(), times);
        }
        let offset: Times = serde_json::from_str(r#"{"at":"2026-12-07T06:28:00.123456+02:00"}"#).unwrap();
        assert_eq!(offset, Times { at, due: None });
        let lower: Times = serde_json::from_str(r#"{"at":"2026-12-07t04:28:00.123456z","due":null}"#).unwrap();
        assert_eq!(lower, Times { at, due: None });
    }

    #[test]
    fn what_is_not_a_time_is_refused() {
        for bad in [
            r#"{"at":"yesterday"}"#,
            r#"{"at":"2026-13-07T04:28:00Z"}"#,
            r#"{"at":"2026-12-07T04:28:00"}"#,
            r#"{"at":17}"#,
            r#"{"at":"2026-12-07T04:28:00Z","due":"soon"}"#,
        ] {
            assert!(serde_json::from_str::<Times>(bad).is_err(), "{bad} was read as a time");
        }
    }

    #[test]
    fn days_read_as_chrono_reads_them_with_its_day_format() {
        for text in ["2024-02-04", "2024-2-4", "2024-02-29", "1999-12-31", "2024-02-30", "2023-02-29", "2024-02-04x",
            "2024-02", "2024-002-04", "+2024-02-04", "2024-02-04-01", "", "2024--04", "２０２４-02-04"]
        {
            assert_eq!(super::day::parse(text), NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|_| !text.starts_with('+')), "{text}");
        }
        // A year has four digits here; chrono's `%Y` would read "24" as the year 24.
        assert_eq!(super::day::parse("24-02-04"), None);
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Day(#[serde(with = "super::day")] NaiveDate);
        let day = Day(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
        assert_eq!(serde_json::to_string(&day).unwrap(), r#""2026-12-07""#);
        assert_eq!(serde_json::from_str::<Day>(r#""2026-12-07""#).unwrap(), day);
        assert!(serde_json::from_str::<Day>(r#""7 Dec 2026""#).is_err());
    }
}
