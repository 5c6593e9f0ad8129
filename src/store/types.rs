//! How domain values cross the database boundary, in one place.
//!
//! States, kinds, platforms and roles are stored as their stable text names
//! (`as_str`) and read back with `parse`; ids are stored as integers. Rows
//! carry the typed values, so nothing above the store compares a state with
//! a string literal or re-parses a column with a silent default: a value the
//! domain does not know is a decode error, reported as corrupt data.
//!
//! The impls are generic over the database, so both backends share them.

use sqlx::database::Database;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Decode, Encode, Type};

/// `T` has the column type of `inner` (text or integer) on every backend.
macro_rules! column_type {
    ($t:ty, $inner:ty) => {
        impl<DB: Database> Type<DB> for $t
        where
            $inner: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <$inner as Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <$inner as Type<DB>>::compatible(ty)
            }
        }
    };
}

/// A value stored as its text (`as_str`) and read back through `parse`,
/// the same check that made it: text the domain does not accept is a
/// decode error.
macro_rules! text_column {
    ($($t:ty => $parse:expr),* $(,)?) => {$(
        column_type!($t, str);

        impl<'q, DB: Database> Encode<'q, DB> for $t
        where
            String: Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                // Owned: an argument buffer may outlive the borrow of `self`.
                <String as Encode<'q, DB>>::encode(self.as_str().to_owned(), buf)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $t
        where
            &'r str: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&'r str as Decode<'r, DB>>::decode(value)?;
                let parse: fn(&str) -> Option<$t> = $parse;
                parse(text).ok_or_else(|| format!("unknown {} {text:?}", stringify!($t)).into())
            }
        }
    )*};
}

/// An id newtype stored as its integer.
macro_rules! int_id {
    ($($t:ident),* $(,)?) => {$(
        column_type!(crate::domain::$t, i64);

        impl<'q, DB: Database> Encode<'q, DB> for crate::domain::$t
        where
            i64: Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                <i64 as Encode<'q, DB>>::encode_by_ref(&self.0, buf)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for crate::domain::$t
        where
            i64: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok(crate::domain::$t(<i64 as Decode<'r, DB>>::decode(value)?))
            }
        }
    )*};
}

use crate::domain::{content, delivery, post, workflow};

text_column!(
    delivery::DeliveryState => delivery::DeliveryState::parse,
    workflow::PostState => workflow::PostState::parse,
    post::ConnectionStatus => post::ConnectionStatus::parse,
    post::CommentKind => post::CommentKind::parse,
    post::NotificationKind => post::NotificationKind::parse,
    content::Platform => content::Platform::parse,
    crate::domain::Role => crate::domain::Role::parse,
    // Addresses were checked when they were stored; a hand-edited row that
    // no longer passes is corrupt data, not a bad login.
    crate::domain::Email => |text| crate::domain::parse_email(text).ok(),
);

int_id!(UserId, WorkspaceId, PostId, ChannelId, MediaId);

/// `('a', 'b')`: the text names of `states`, for an SQL `IN`. Built from
/// the domain's own lists, never typed by hand.
pub fn in_list(states: &[crate::domain::delivery::DeliveryState]) -> String {
    let names: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
    format!("({})", names.join(", "))
}

/// A JSON document kept in a TEXT column (both backends store JSON as
/// text here), typed at the boundary: written with serde, read back into
/// `T`, and a document that no longer parses is a decode error (corrupt
/// data), never a silent default. The database-native JSON types are not
/// used because the schema keeps these columns as TEXT on PostgreSQL too.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

impl<DB: Database, T> Type<DB> for Json<T>
where
    str: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <str as Type<DB>>::type_info()
    }
    fn compatible(ty: &DB::TypeInfo) -> bool {
        <str as Type<DB>>::compatible(ty)
    }
}

impl<'q, DB: Database, T: serde::Serialize> Encode<'q, DB> for Json<T>
where
    String: Encode<'q, DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut <DB as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        let text = serde_json::to_string(&self.0)?;
        <String as Encode<'q, DB>>::encode(text, buf)
    }
}

impl<'r, DB: Database, T: serde::de::DeserializeOwned> Decode<'r, DB> for Json<T>
where
    &'r str: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&'r str as Decode<'r, DB>>::decode(value)?;
        Ok(Json(serde_json::from_str(text)?))
    }
}
