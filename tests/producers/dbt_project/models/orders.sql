select order_id, customer_id, status
from {{ ref(var('orders_seed')) }}
