-- Youth welfare cases in their newest version within the Datenstand (a case closed later is the
-- same case with `ende` set).
select * exclude (neueste_zuerst)
from (
    select
        *,
        row_number() over (partition by hilfe_pseudonym order by geaendert_am desc) as neueste_zuerst
    from {{ ref('stg_jugendamt__hilfen') }}
)
where neueste_zuerst = 1
