// Starts Swagger UI on the API docs page; kept out of the page so the CSP needs no inline script.
window.addEventListener("load", function () {
  var target = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: target.getAttribute("data-spec-url"),
    domNode: target,
    deepLinking: true,
    persistAuthorization: true,
  });
});
