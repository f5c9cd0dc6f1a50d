-- Every current client with how many orders they have and when they ordered last.
SELECT
  c.id AS client_id,
  c.first_name,
  c.last_name,
  c.city,
  count(o.id) AS orders,
  max(o.created_at) AS last_order_at
FROM silver.clients c
LEFT JOIN silver.orders o ON o.client_id = c.id
GROUP BY c.id, c.first_name, c.last_name, c.city
