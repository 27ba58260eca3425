//! The query parameters of `GET /api/v1/users`, described from the Users
//! table's own vocabulary (its sort keys, status filters and page sizes),
//! so the document lists exactly what the table's parser accepts.

use app::directory::SortKey;
use app::directory::query::{MAX_SEARCH_LEN, PAGE_SIZES};
use app::domain::FormField;
use app::domain::StatusFilter;
use utoipa::openapi::ObjectBuilder;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::Type;

/// `q`, `status`, `role`, `team`, `signed_in`, `deleted`, `sort`, `dir`,
/// `page`, `per_page`: all optional.
pub struct UserListParams;

fn query(field: FormField, description: &str, schema: ObjectBuilder) -> Parameter {
    ParameterBuilder::new()
        .name(field.key())
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn text() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn one_of<'a>(keys: impl IntoIterator<Item = &'a str>) -> ObjectBuilder {
    text().enum_values(Some(keys.into_iter().map(str::to_owned)))
}

impl utoipa::IntoParams for UserListParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            query(
                FormField::Search,
                "Text found in the username, email address or name (any case).",
                text().max_length(Some(MAX_SEARCH_LEN)),
            ),
            query(
                FormField::Status,
                "Only users in this state.",
                one_of(StatusFilter::ALL.map(StatusFilter::key)),
            ),
            query(
                FormField::Role,
                "Only users with this role (its name, any case).",
                text(),
            ),
            query(
                FormField::Team,
                "Only members of this team (its name, any case).",
                text(),
            ),
            query(
                FormField::SignedIn,
                "Only users signed in now (`yes`) or only those who are not (`no`).",
                one_of(["yes", "no"]),
            ),
            query(
                FormField::Deleted,
                "`include` lists deleted users too; by default they are hidden.",
                one_of(["include", "hide"]),
            ),
            query(
                FormField::Sort,
                "The column to sort by (default `username`).",
                one_of(SortKey::ALL.map(SortKey::key)),
            ),
            query(
                FormField::SortDirection,
                "Sort direction; by default the column's natural one (newest first for times).",
                one_of(["asc", "desc"]),
            ),
            query(
                FormField::Page,
                "The page, from 1.",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(u32::MAX)),
            ),
            query(
                FormField::PerPage,
                "Users per page (default 25).",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .enum_values(Some(PAGE_SIZES)),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use app::directory::UserListQuery;
    use utoipa::IntoParams;

    use super::UserListParams;

    /// Every parameter a table view writes into its address is one the
    /// document lists.
    #[test]
    fn the_document_lists_every_parameter_the_table_writes() {
        let documented: Vec<String> = UserListParams::into_params(|| None)
            .into_iter()
            .map(|p| p.name)
            .collect();
        let view = UserListQuery::from_query_string(
            "q=ann&status=locked&role=admin&team=x&signed_in=yes&deleted=include&sort=name&dir=desc&page=2&per_page=50",
        )
        .unwrap();
        for (name, _) in view.to_params() {
            assert!(
                documented.iter().any(|d| d == name),
                "{name} is not documented"
            );
        }
        assert_eq!(documented.len(), view.to_params().len());
    }
}
