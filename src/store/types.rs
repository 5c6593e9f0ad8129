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

/// A domain enum stored as its text name.
macro_rules! text_enum {
    ($($t:ty),* $(,)?) => {$(
        impl<DB: Database> Type<DB> for $t
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

        impl<'q, DB: Database> Encode<'q, DB> for $t
        where
            &'q str: Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as Database>::ArgumentBuffer<'q>,
            ) -> Result<IsNull, BoxDynError> {
                let name: &'q str = self.as_str();
                <&'q str as Encode<'q, DB>>::encode_by_ref(&name, buf)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $t
        where
            &'r str: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let name = <&'r str as Decode<'r, DB>>::decode(value)?;
                <$t>::parse(name).ok_or_else(|| {
                    format!("unknown {} {name:?}", stringify!($t)).into()
                })
            }
        }
    )*};
}

/// An email address stored as its text; read back through the same check
/// that made it, so a hand-edited row is a decode error, not a bad login.
impl<DB: Database> Type<DB> for crate::domain::Email
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

impl<'q, DB: Database> Encode<'q, DB> for crate::domain::Email
where
    String: Encode<'q, DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut <DB as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, DB>>::encode(self.as_str().to_owned(), buf)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for crate::domain::Email
where
    &'r str: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&'r str as Decode<'r, DB>>::decode(value)?;
        crate::domain::parse_email(text).map_err(|_| format!("malformed email {text:?}").into())
    }
}

/// An id newtype stored as its integer.
macro_rules! int_id {
    ($($t:ident),* $(,)?) => {$(
        impl<DB: Database> Type<DB> for crate::domain::$t
        where
            i64: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <i64 as Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <i64 as Type<DB>>::compatible(ty)
            }
        }

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

text_enum!(
    crate::domain::delivery::DeliveryState,
    crate::domain::workflow::PostState,
    crate::domain::post::ConnectionStatus,
    crate::domain::post::CommentKind,
    crate::domain::post::NotificationKind,
    crate::domain::content::Platform,
    crate::domain::Role,
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
