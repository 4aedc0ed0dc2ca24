/* The desk's booking page, made quicker where JavaScript runs (it works without):
   - typing in the client search lists the matching clients as one types (the same page is
     fetched with the new search, and its list of clients replaces this one), keeping what is
     typed in the booking form and the client chosen;
   - typing a new client's details chooses "A new client". */
(function () {
  "use strict";

  var DELAY_MS = 250;
  var search = document.getElementById("client-search");
  var results = document.getElementById("client-results");
  var booking = document.getElementById("booking-form");
  if (!search || !results || !booking) {
    return;
  }
  var box = search.elements.q;
  var timer = null;
  var pending = null;

  function chosenClient() {
    var chosen = booking.querySelector('input[name="client_id"]:checked');
    return chosen ? chosen.value : "";
  }

  function searchAddress() {
    var query = new URLSearchParams(new FormData(search));
    var chosen = chosenClient();
    if (/^[0-9]+$/.test(chosen)) {
      query.set("client_id", chosen);
    } else {
      query.delete("client_id");
    }
    return search.action + "?" + query.toString();
  }

  function refresh() {
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    var wanted = box.value;
    fetch(searchAddress(), { credentials: "same-origin", signal: pending.signal })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("search answered " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("client-results");
        if (fresh && box.value === wanted) {
          results.innerHTML = fresh.innerHTML;
          if (booking.elements.q) {
            booking.elements.q.value = wanted;
          }
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          results.textContent = "The search did not answer; press Search to try again.";
        }
      });
  }

  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, DELAY_MS);
  });

  search.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    refresh();
  });

  var newClient = document.getElementById("client-new");
  var newFields = booking.querySelectorAll('[name^="new_client-"]');
  Array.prototype.forEach.call(newFields, function (input) {
    input.addEventListener("input", function () {
      if (newClient && input.value) {
        newClient.checked = true;
      }
    });
  });
})();
