// Small browser helpers for DeviseWeb (loaded once by App.razor).
window.deviseWeb = {
    // Copies text to the clipboard; true on success. Falls back to a hidden textarea where the async
    // Clipboard API is unavailable (plain http on a non-localhost address).
    copyText: async function (text) {
        try {
            if (navigator.clipboard && window.isSecureContext) {
                await navigator.clipboard.writeText(text);
                return true;
            }
        } catch (e) {
            // fall through to the textarea fallback
        }
        const area = document.createElement("textarea");
        area.value = text;
        area.setAttribute("readonly", "");
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.appendChild(area);
        area.select();
        let copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        document.body.removeChild(area);
        return copied;
    }
};

// Whether the user is on the keyboard: a key press (not a shortcut) says yes until the next pointer press. The
// stylesheet shows the focus ring of a page heading, which a navigation focuses for screen readers, only then.
(function () {
    const root = document.documentElement;
    document.addEventListener("keydown", e => {
        if (!e.altKey && !e.ctrlKey && !e.metaKey) root.dataset.keyboard = "";
    }, true);
    document.addEventListener("pointerdown", () => { delete root.dataset.keyboard; }, true);
})();
