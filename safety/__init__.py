"""The safety layer: recognises a person in danger in any supported language, before the dialogue
decides anything. Rasa-free (bot/components/safety_layer.py wraps it), so it runs and is tested without
Rasa and on a current Python.

Recall first: a false alarm costs the user one sentence ("are you safe right now?"); a miss can cost a
life. See safety/detector.py for how the lexicon and the classifier decide together."""
