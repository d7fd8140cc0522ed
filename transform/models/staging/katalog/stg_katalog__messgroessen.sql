select messgroesse::varchar as messgroesse, quelle::varchar as quelle
from {{ source('katalog', 'messgroessen') }}
