select
    alter_ags,
    alter_name,
    neuer_ags,
    neuer_name,
    wirksam_ab::date as wirksam_ab,
    art
from {{ source('referenz', 'ags_historie') }}
