// Starts Swagger UI on /api/docs (a file, not an inline script: the page's
// Content-Security-Policy allows only this site's scripts).
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    persistAuthorization: false,
    tryItOutEnabled: false,
  });
});
