import { render } from "preact";
import "./styles.css";
import { App } from "./app";
import { loadSession } from "./session";

void loadSession();
render(<App />, document.getElementById("app")!);
