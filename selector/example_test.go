package selector_test

import (
	"fmt"

	"github.com/daemonsim/daemonsim/selector"
)

func ExampleParse() {
	sel, err := selector.Parse("tier in (web,api), !canary, zone=a")
	if err != nil {
		panic(err)
	}
	fmt.Println(sel)
	fmt.Println(sel.Matches(selector.Set{"tier": "web", "zone": "a"}))
	fmt.Println(sel.Matches(selector.Set{"tier": "web", "zone": "a", "canary": "true"}))
	_, err = selector.Parse("tier in (web")
	fmt.Println(err)
	// Output:
	// !canary,tier in (api,web),zone=a
	// true
	// false
	// unable to parse selector at position 12 of "tier in (web": found '', expected: ',' or ')'
}

func ExampleLabelSelectorAsSelector() {
	for _, ls := range []*selector.LabelSelector{
		nil,
		{},
		{MatchLabels: selector.Set{"name": "fluentd-elasticsearch"}},
	} {
		s, _ := selector.LabelSelectorAsSelector(ls)
		fmt.Printf("%q matches a pod labelled name=fluentd-elasticsearch: %v\n", s, s.Matches(selector.Set{"name": "fluentd-elasticsearch"}))
	}
	// Output:
	// "" matches a pod labelled name=fluentd-elasticsearch: false
	// "" matches a pod labelled name=fluentd-elasticsearch: true
	// "name=fluentd-elasticsearch" matches a pod labelled name=fluentd-elasticsearch: true
}

func ExampleNodeSelector_Matches() {
	ns := &selector.NodeSelector{NodeSelectorTerms: []selector.NodeSelectorTerm{
		{MatchExpressions: []selector.NodeSelectorRequirement{{Key: "disktype", Operator: selector.NodeSelectorOpIn, Values: []string{"ssd"}}}},
		{MatchFields: []selector.NodeSelectorRequirement{{Key: selector.ObjectNameField, Operator: selector.NodeSelectorOpIn, Values: []string{"node-7"}}}},
	}}
	fmt.Println(ns.Matches("node-1", selector.Set{"disktype": "ssd"}))
	fmt.Println(ns.Matches("node-2", selector.Set{"disktype": "hdd"}))
	fmt.Println(ns.Matches("node-7", nil))
	// Output:
	// true
	// false
	// true
}
