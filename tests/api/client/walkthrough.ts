// The README's walk-through (charge, order, cart, top sellers, cancel) by a client
// generated from the server's OpenAPI document: openapi-typescript turns the document
// into `paths` (./schema.d.ts, made by tests/api/client.sh), openapi-fetch calls the
// server with it. Compiling this file checks every path, body and answer field used
// here against the document; running it checks them against the server.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

// Node's globals, without @types/node: only what this file uses.
declare const process: { argv: string[]; exit(code: number): never };

const baseUrl = process.argv[2];
if (!baseUrl) throw new Error("usage: node walkthrough.js http://host:port");
const api = createClient<paths>({ baseUrl });

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`walk-through: ${what}`);
  console.log(`ok  ${what}`);
}

async function main(): Promise<void> {
  const products = await api.GET("/products");
  check(products.response.status === 200 && (products.data?.length ?? 0) > 0, "GET /products lists the demo catalogue");

  const before = await api.GET("/balance", { params: { query: { userId: "alice" } } });
  const opening = before.data?.currentBalance ?? -1;
  check(before.response.status === 200 && opening >= 0, `alice's balance is ${opening}`);

  const charged = await api.POST("/balance/charge", { body: { userId: "alice", amount: 5000 } });
  check(charged.response.status === 200 && charged.data?.currentBalance === opening + 5000,
        "POST /balance/charge adds 5000");

  const keyboard = await api.GET("/products/{productId}", { params: { path: { productId: "p-keyboard" } } });
  const price = keyboard.data?.price ?? 0;
  const stock = keyboard.data?.stock ?? 0;
  check(keyboard.response.status === 200 && price > 0, `p-keyboard costs ${price}, ${stock} in stock`);

  const order = await api.POST("/order", {
    params: { header: { "Idempotency-Key": `walkthrough-${Date.now()}` } },
    body: { userId: "alice", items: [{ productId: "p-keyboard", quantity: 1 }] },
  });
  check(order.response.status === 200 && order.data?.orderStatus === "SUCCESS" && order.data?.totalPrice === price,
        "POST /order pays for one keyboard");
  const orderId = order.data?.orderId ?? "";

  const refused = await api.POST("/order", {
    body: { userId: "carol", items: [{ productId: "p-monitor", quantity: 100 }] },
  });
  check(refused.response.status === 409 && refused.error?.code !== undefined,
        `an order carol cannot pay is refused: ${refused.error?.code}`);

  const added = await api.POST("/cart/add", { body: { userId: "bob", productId: "p-mouse", quantity: 2 } });
  check(added.response.status === 200, "POST /cart/add puts two mice in bob's cart");
  const cart = await api.GET("/cart", { params: { query: { userId: "bob" } } });
  check(cart.data?.items.some((item) => item.productId === "p-mouse" && item.quantity >= 2) ?? false,
        "GET /cart shows them");
  const fromCart = await api.POST("/order", { body: { userId: "bob", fromCart: true } });
  check(fromCart.response.status === 200 && fromCart.data?.orderStatus === "SUCCESS", "POST /order fromCart orders the cart");

  const top = await api.GET("/products/top");
  check(top.response.status === 200 && (top.data?.some((p) => p.productId === "p-keyboard") ?? false),
        "GET /products/top ranks the keyboard");

  const cancelled = await api.POST("/orders/{orderId}/cancel", { params: { path: { orderId } } });
  check(cancelled.response.status === 200 && cancelled.data?.orderStatus === "CANCELLED", "the keyboard order is cancelled");
  const after = await api.GET("/balance", { params: { query: { userId: "alice" } } });
  check(after.data?.currentBalance === opening + 5000, "and its payment refunded");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
