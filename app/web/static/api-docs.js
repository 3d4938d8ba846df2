// Starts Swagger UI on /docs from the vendored bundle (no inline script: the page's
// Content-Security-Policy allows scripts from this site only).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
