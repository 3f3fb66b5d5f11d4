// Starts Swagger UI on this server's OpenAPI document (served by /docs as /docs/start.js:
// a separate file rather than an inline script, so a strict Content-Security-Policy in
// front of the server need not allow inline code).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#reference",
  deepLinking: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  tryItOutEnabled: false,
});
