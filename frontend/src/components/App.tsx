import { useCallback, useState } from "preact/hooks";
import { Dashboard } from "./Dashboard";
import { Login } from "./Login";

/** Dashboard until any API call answers 401, then the login form until it succeeds. */
export function App() {
  const [loggedOut, setLoggedOut] = useState(false);
  // A fresh Dashboard (new fetches, new stream) after every login.
  const [session, setSession] = useState(0);
  const onUnauthorized = useCallback(() => setLoggedOut(true), []);
  const onLoggedIn = useCallback(() => {
    setSession((n) => n + 1);
    setLoggedOut(false);
  }, []);

  return loggedOut ? <Login onLoggedIn={onLoggedIn} /> : <Dashboard key={session} onUnauthorized={onUnauthorized} />;
}
