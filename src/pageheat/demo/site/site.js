// The demo shop's own behaviour: a cart counter, so clicks change the page.
document.addEventListener("click", (e) => {
  const t = e.target.closest("#add-to-cart, .buy, .plan button");
  if (!t) return;
  const c = document.getElementById("cart-count");
  c.textContent = String(Number(c.textContent) + 1);
});
