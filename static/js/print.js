// Buttons marked data-print stay hidden without JavaScript (the browser's own Print works then) and print here.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
