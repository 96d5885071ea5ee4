//! A migration, once applied somewhere, is never edited: sqlx keeps each applied migration's
//! checksum and refuses to start on a database whose applied migration has changed since
//! ("migration 10 was previously applied but has been modified": a comment edited in
//! PostgreSQL's 0010 after it was applied did this to a database of the day before). Each
//! migration's checksum is pinned here; a change goes into a new migration, which adds its line.

use sqlx::migrate::Migrator;

/// The first 16 hex digits of each migration's SHA-384, by version.
const POSTGRES: &[(i64, &str)] = &[
    (1, "038e24f643c0379a"),
    (2, "b1235ad6f97948b8"),
    (3, "1cb6669216ebf5c1"),
    (4, "6cb38a544f06d054"),
    (5, "51565ea0d61e6ca5"),
    (6, "aad2d5346fefff22"),
    (7, "7b65ed5ff772d6f2"),
    (8, "2fc4273ef2758155"),
    (9, "60539aefcb27c2c3"),
    (10, "5805bc82506ce84d"),
    (11, "13094487c2bcb6c6"),
    (12, "28302d0454e24ee7"),
    (13, "941743f924d10bd8"),
    (14, "2c37b87d6b5a4bf8"),
];
const SQLITE: &[(i64, &str)] = &[
    (1, "3b98f537df2f1593"),
    (2, "16645730a9a6d0c0"),
    (3, "eddf0a4a732b2a82"),
    (4, "31cc5bb33215a37a"),
    (5, "c3481ff661d8f43d"),
    (6, "bbbc62c9321c17b9"),
    (7, "c3a7b2177757332c"),
    (8, "bd6856552f8a28fa"),
    (9, "4cc463dce7b7e625"),
    (10, "80ad142d9fbb47f4"),
    (11, "e5d1df1aac7a7112"),
    (12, "6804ac846aee95a8"),
    (13, "1025db25541a576e"),
    (14, "f0fedddd0101faa4"),
    (15, "056dfea1b88ed995"),
    (16, "f3b6656d58ad4501"),
    (17, "8920f4354e5128b4"),
    (18, "aad2d5346fefff22"),
    (19, "1ea54df522d562b6"),
    (20, "4c3af9a09c908cfc"),
    (21, "726aae058fbe6c4b"),
    (22, "0bb9889b0a0ef3d5"),
    (23, "1ba22cd4764edb97"),
    (24, "60cf512bd6bfb0fc"),
];

fn checksums(migrator: &Migrator) -> Vec<(i64, String)> {
    migrator.iter().map(|m| (m.version, m.checksum.iter().take(8).map(|b| format!("{b:02x}")).collect())).collect()
}

fn check(migrator: &Migrator, pinned: &[(i64, &str)], dir: &str) {
    let now = checksums(migrator);
    for (version, sum) in pinned {
        let found = now.iter().find(|(v, _)| v == version).map(|(_, s)| s.as_str());
        assert_eq!(found, Some(*sum), "migrations/{dir}/{version:04}_*.sql was removed or edited after it was applied: write a new migration instead");
    }
    let new: Vec<String> = now.iter().filter(|(v, _)| !pinned.iter().any(|(p, _)| p == v)).map(|(v, s)| format!("({v}, \"{s}\"),")).collect();
    assert!(new.is_empty(), "new migrations in migrations/{dir}: pin them here\n{}", new.join("\n"));
}

#[test]
fn no_migration_is_edited_once_written() {
    check(&super::postgres::MIGRATOR, POSTGRES, "postgres");
    check(&super::sqlite::MIGRATOR, SQLITE, "sqlite");
}
